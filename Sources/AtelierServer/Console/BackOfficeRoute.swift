import HTTPTypes

/// The back office's pages under `/console`: shipping methods, tax rates, API keys, webhooks, privacy requests.
enum BackOfficeRoute: ConsoleAreaRoute {
    case shipping

    init?(method: HTTPRequest.Method, rest: [Substring]) {
        switch (method, rest.first, rest.count) {
        case (.get, "shipping", 1): self = .shipping
        default: return nil
        }
    }

    var isPost: Bool { false }

    var label: String {
        switch self {
        case .shipping: "/console/shipping"
        }
    }
}
