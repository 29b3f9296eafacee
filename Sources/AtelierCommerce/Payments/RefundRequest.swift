import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Gives money back for a captured payment.
public struct RefundRequest: Sendable, Equatable {
    /// The payment's reference at the provider (PaymentIntent id, PayPal capture id).
    public var paymentRef: String
    public var amount: Int64
    public var currency: String
    public var idempotencyKey: String

    public init(paymentRef: String, amount: Int64, currency: String, idempotencyKey: String) {
        self.paymentRef = paymentRef
        self.amount = amount
        self.currency = currency
        self.idempotencyKey = idempotencyKey
    }
}
