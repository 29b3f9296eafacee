import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// What a checkout asks a provider for: one payment of `amount` minor units.
public struct PaymentRequest: Sendable, Equatable {
    public var checkoutId: String
    public var amount: Int64
    public var currency: String
    /// Sent as the provider's idempotency key: a retry after a lost answer finds the same payment.
    public var idempotencyKey: String

    public init(checkoutId: String, amount: Int64, currency: String, idempotencyKey: String) {
        self.checkoutId = checkoutId
        self.amount = amount
        self.currency = currency
        self.idempotencyKey = idempotencyKey
    }
}
