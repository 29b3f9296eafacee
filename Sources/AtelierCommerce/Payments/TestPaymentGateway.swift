/// The test provider, for a shop being set up and for local runs: a gateway that holds no money and answers without
/// a network call. Its payment exists as soon as it is asked for (the checkout is written with it), the shopper
/// reports the outcome through `POST /checkout/{id}/test-payment` (applied like a provider's webhook), and a refund
/// gives back what it is asked for at once. Configuration decides whether shoppers may choose it at all.
import AtelierCore
import AtelierCatalog
import AtelierCustomization
public struct TestPaymentGateway: PaymentGateway {
    public init() {}

    public var kind: PaymentProviderKind { .test }

    public var settlesLocally: Bool { true }

    /// The payment's reference is the checkout's, so a retry finds the same payment.
    public func createPayment(_ request: PaymentRequest) async throws(PaymentGatewayError) -> PaymentHandle {
        PaymentHandle(reference: Self.reference(checkoutId: request.checkoutId))
    }

    public func refund(_ request: RefundRequest) async throws(PaymentGatewayError) -> Int64 { request.amount }

    /// Nothing to ask: the outcome of a test payment is reported, never looked up.
    public func lookup(_ reference: String) async throws(PaymentGatewayError) -> ProviderPaymentStatus { .open("reported_by_shopper") }

    public static func reference(checkoutId: String) -> String { "test_" + checkoutId }
}
