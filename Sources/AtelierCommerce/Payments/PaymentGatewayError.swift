import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A provider call that did not work. `transient` failures (network, timeouts, 429, 5xx) may succeed
/// when retried with the same idempotency key; the others will not.
public struct PaymentGatewayError: Error, Sendable, Equatable, CustomStringConvertible {
    public var provider: PaymentProviderKind
    public var status: Int?
    public var code: String
    public var message: String
    public var transient: Bool

    public init(provider: PaymentProviderKind, status: Int?, code: String, message: String, transient: Bool) {
        self.provider = provider
        self.status = status
        self.code = code
        self.message = message
        self.transient = transient
    }

    public var description: String {
        "\(provider.rawValue) \(status.map(String.init) ?? "no answer") \(code): \(message)"
    }

    /// How the API reports it: 502, with a code that tells whether a retry may help.
    public var problem: AtelierError {
        transient
            ? AtelierError(.badGateway, code: .paymentProviderUnavailable, title: "Payment provider unavailable",
                           detail: "\(provider.rawValue) did not answer properly; retry with the same Idempotency-Key.")
            : AtelierError(.badGateway, code: .paymentProviderError, title: "Payment provider refused the request",
                           detail: "\(provider.rawValue) refused the request (\(code)).")
    }
}
