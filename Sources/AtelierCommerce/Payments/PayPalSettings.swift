import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AsyncHTTPClient
import Foundation
import NIOHTTP1

public struct PayPalSettings: Sendable, Equatable {
    public var clientId: String
    public var clientSecret: String
    /// `https://api-m.paypal.com` (live) or `https://api-m.sandbox.paypal.com`.
    public var apiBase: String
    /// The id PayPal gave the webhook pointing at `/webhooks/paypal`; part of every signature.
    public var webhookId: String
    /// Longest wait for one call, connection attempts included.
    public var timeout: Duration = .seconds(10)
    /// Longest wait for one webhook verification: anonymous requests trigger these, so they are cut short.
    public var webhookVerificationTimeout: Duration = .seconds(5)
    /// Where PayPal sends the buyer after approving, and after cancelling, on the storefront; `{checkoutId}` is
    /// replaced by the checkout's id. Nil: not sent (PayPal's JavaScript SDK then closes its window instead).
    public var returnURL: String?
    public var cancelURL: String?

    public init(clientId: String, clientSecret: String, apiBase: String = "https://api-m.paypal.com", webhookId: String) {
        self.clientId = clientId
        self.clientSecret = clientSecret
        self.apiBase = apiBase.hasSuffix("/") ? String(apiBase.dropLast()) : apiBase
        self.webhookId = webhookId
    }
}
