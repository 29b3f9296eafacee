import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AsyncHTTPClient
import Foundation

public struct StripeSettings: Sendable, Equatable {
    /// The secret API key (`sk_live_…`, `sk_test_…`).
    public var secretKey: String
    /// `https://api.stripe.com`, or a compatible server in tests.
    public var apiBase: String
    /// Longest wait for one call, connection attempts included (a shopper is waiting).
    public var timeout: Duration

    public init(secretKey: String, apiBase: String = "https://api.stripe.com", timeout: Duration = .seconds(10)) {
        self.secretKey = secretKey
        self.apiBase = apiBase.hasSuffix("/") ? String(apiBase.dropLast()) : apiBase
        self.timeout = timeout
    }
}
