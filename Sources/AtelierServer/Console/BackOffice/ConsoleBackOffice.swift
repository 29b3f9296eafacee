import Atelier
import Foundation
import HTTPTypes
import Hummingbird

/// The back office: shipping methods, tax rates, API keys, webhooks and privacy requests. Roles as in the contract:
/// shipping and tax are read by every role but the designers (a method's or a rate's page read-only) and changed by
/// admins; keys, webhooks and privacy requests are for admins only.
struct ConsoleBackOffice: Sendable {
    let services: AppServices
    let page: ConsolePage

    func respond(_ route: BackOfficeRoute, form: ConsoleForm, staff: StaffSessionContext) async throws -> Response {
        let role = staff.account.role
        switch route {
        case .shipping, .tax, .shippingMethod, .taxRate:
            guard ConsolePage.seesShop(role) else { return page.refuse(staff, "Shipping and tax are not shown to the \(role.rawValue) role.") }
        case .createShipping, .saveShipping, .deleteShipping:
            guard ConsolePage.runsShop(role) else { return page.refuse(staff, "Only admins change shipping methods.") }
        case .createTax, .saveTax, .deleteTax:
            guard ConsolePage.runsShop(role) else { return page.refuse(staff, "Only admins change tax rates.") }
        case .apiKeys, .createAPIKey, .revokeAPIKey:
            guard ConsolePage.runsShop(role) else { return page.refuse(staff, "Only admins manage API keys.") }
        case .webhooks, .createWebhook, .webhook, .deleteWebhook, .rotateWebhookSecret, .redeliver:
            guard ConsolePage.runsShop(role) else { return page.refuse(staff, "Only admins manage webhooks.") }
        case .privacy, .exportPersonalData, .erasePersonalData:
            guard ConsolePage.runsShop(role) else { return page.refuse(staff, "Only admins handle privacy requests.") }
        }
        let shipping = ConsoleShipping(services: services, page: page)
        let tax = ConsoleTaxRates(services: services, page: page)
        let keys = ConsoleAPIKeys(services: services, page: page)
        let webhooks = ConsoleWebhooks(services: services, page: page)
        let privacy = ConsolePrivacy(services: services, page: page)
        switch route {
        case .shipping: return try await shipping.list(staff: staff)
        case .createShipping: return try await shipping.create(form, staff: staff)
        case .shippingMethod(let code): return try await shipping.edit(code: code, staff: staff)
        case .saveShipping(let code): return try await shipping.save(code: code, form: form, staff: staff)
        case .deleteShipping(let code): return try await shipping.delete(code: code, staff: staff)
        case .tax: return try await tax.list(staff: staff)
        case .createTax: return try await tax.create(form, staff: staff)
        case .taxRate(let id): return try await tax.edit(id: id, staff: staff)
        case .saveTax(let id): return try await tax.save(id: id, form: form, staff: staff)
        case .deleteTax(let id): return try await tax.delete(id: id, staff: staff)
        case .apiKeys: return try await keys.list(staff: staff, cursor: form.text("cursor"))
        case .createAPIKey: return try await keys.create(form, staff: staff)
        case .revokeAPIKey(let id): return try await keys.revoke(id: id, form: form, staff: staff)
        case .webhooks: return try await webhooks.list(staff: staff, cursor: form.text("cursor"))
        case .createWebhook: return try await webhooks.create(form, staff: staff)
        case .webhook(let id): return try await webhooks.subscription(id: id, staff: staff, cursor: form.text("cursor"))
        case .deleteWebhook(let id): return try await webhooks.delete(id: id, staff: staff)
        case .rotateWebhookSecret(let id): return try await webhooks.rotateSecret(id: id, staff: staff)
        case .redeliver(let webhookId, let deliveryId):
            return try await webhooks.redeliver(webhookId: webhookId, deliveryId: deliveryId, staff: staff)
        case .privacy: return privacy.form(staff: staff)
        case .exportPersonalData: return try await privacy.export(form, staff: staff)
        case .erasePersonalData: return try await privacy.erase(form, staff: staff)
        }
    }
}
