import HTTPTypes

/// The back office's pages under `/console`: shipping methods, tax rates, API keys, webhooks, privacy requests.
enum BackOfficeRoute: ConsoleAreaRoute {
    case shipping
    case createShipping
    case shippingMethod(code: String)
    case saveShipping(code: String)
    case deleteShipping(code: String)
    case tax
    case createTax
    case taxRate(id: String)
    case saveTax(id: String)
    case deleteTax(id: String)
    case apiKeys
    case createAPIKey
    /// Asks to confirm first; revokes when the form says it is confirmed.
    case revokeAPIKey(id: String)
    case webhooks
    case createWebhook
    case webhook(id: String)
    case deleteWebhook(id: String)
    case rotateWebhookSecret(id: String)
    case redeliver(webhookId: String, deliveryId: String)
    case privacy
    case exportPersonalData
    case erasePersonalData

    init?(method: HTTPRequest.Method, rest: [Substring]) {
        guard let first = rest.first else { return nil }
        let id = rest.count > 1 ? String(rest[1]) : ""
        let action = rest.count > 2 ? rest[2] : ""
        switch (method, first, rest.count) {
        case (.get, "shipping", 1): self = .shipping
        case (.post, "shipping", 1): self = .createShipping
        case (.get, "shipping", 2): self = .shippingMethod(code: id)
        case (.post, "shipping", 2): self = .saveShipping(code: id)
        case (.post, "shipping", 3) where action == "delete": self = .deleteShipping(code: id)
        case (.get, "tax", 1): self = .tax
        case (.post, "tax", 1): self = .createTax
        case (.get, "tax", 2): self = .taxRate(id: id)
        case (.post, "tax", 2): self = .saveTax(id: id)
        case (.post, "tax", 3) where action == "delete": self = .deleteTax(id: id)
        case (.get, "api-keys", 1): self = .apiKeys
        case (.post, "api-keys", 1): self = .createAPIKey
        case (.post, "api-keys", 3) where action == "revoke": self = .revokeAPIKey(id: id)
        case (.get, "webhooks", 1): self = .webhooks
        case (.post, "webhooks", 1): self = .createWebhook
        case (.get, "webhooks", 2): self = .webhook(id: id)
        case (.post, "webhooks", 3) where action == "delete": self = .deleteWebhook(id: id)
        case (.post, "webhooks", 3) where action == "rotate-secret": self = .rotateWebhookSecret(id: id)
        case (.post, "webhooks", 5) where action == "deliveries" && rest[4] == "redeliver":
            self = .redeliver(webhookId: id, deliveryId: String(rest[3]))
        case (.get, "privacy", 1): self = .privacy
        case (.post, "privacy", 2) where id == "export": self = .exportPersonalData
        case (.post, "privacy", 2) where id == "erase": self = .erasePersonalData
        default: return nil
        }
    }

    var isPost: Bool {
        switch self {
        case .shipping, .shippingMethod, .tax, .taxRate, .apiKeys, .webhooks, .webhook, .privacy: false
        default: true
        }
    }

    var label: String {
        switch self {
        case .shipping, .createShipping: "/console/shipping"
        case .shippingMethod, .saveShipping: "/console/shipping/{code}"
        case .deleteShipping: "/console/shipping/{code}/delete"
        case .tax, .createTax: "/console/tax"
        case .taxRate, .saveTax: "/console/tax/{id}"
        case .deleteTax: "/console/tax/{id}/delete"
        case .apiKeys, .createAPIKey: "/console/api-keys"
        case .revokeAPIKey: "/console/api-keys/{id}/revoke"
        case .webhooks, .createWebhook: "/console/webhooks"
        case .webhook: "/console/webhooks/{id}"
        case .deleteWebhook: "/console/webhooks/{id}/delete"
        case .rotateWebhookSecret: "/console/webhooks/{id}/rotate-secret"
        case .redeliver: "/console/webhooks/{id}/deliveries/{deliveryId}/redeliver"
        case .privacy: "/console/privacy"
        case .exportPersonalData: "/console/privacy/export"
        case .erasePersonalData: "/console/privacy/erase"
        }
    }
}
