import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A payment provider Atelier takes money through. Every call carries an idempotency key.
public protocol PaymentGateway: Sendable {
    var kind: PaymentProviderKind { get }
    /// Creates the payment the shopper will authorize (a PaymentIntent, a PayPal order).
    func createPayment(_ request: PaymentRequest) async throws(PaymentGatewayError) -> PaymentHandle
    /// Refunds a captured payment; answers the amount refunded.
    func refund(_ request: RefundRequest) async throws(PaymentGatewayError) -> Int64
    /// Asks what became of a payment (`reference`: the PaymentIntent or PayPal order id), for when its webhook is
    /// late or lost. Changes nothing at the provider.
    func lookup(_ reference: String) async throws(PaymentGatewayError) -> ProviderPaymentStatus
    /// Whether the gateway answers in-process, without a provider to call (the test provider): its payment is created
    /// with the checkout, in the same transaction; its refunds are complete when decided; there is nothing to look up.
    var settlesLocally: Bool { get }
}

extension PaymentGateway {
    public var settlesLocally: Bool { false }
}
