import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Foundation

/// Money given back for one payment: decided once, then made at the provider.
///
/// A refund is decided inside the transaction that needs it — an order's cancellation gives back what is left, staff
/// give back part of an order, money that made no order goes back — as a `pending` record with a job queued beside
/// it (`RefundJobs`). The job asks the provider with the refund's own idempotency key, so however often it runs (a
/// retry, a crash after the provider answered) the money goes back once. The built-in test provider holds no money,
/// and a refund staff made outside Atelier needs no provider: both are `succeeded` as they are decided.
public struct Refund: Sendable, Equatable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        /// Decided; the provider has not confirmed it yet.
        case pending
        case succeeded
        /// The provider refused it, or never answered within the retries: the money did not go back.
        case failed
    }

    /// Why the money goes back.
    public enum Kind: String, Sendable, Codable {
        /// What was left of an order's payment when it was cancelled.
        case cancellation
        /// Part of an order's payment, given back by staff.
        case partial
        /// A payment for a checkout that had expired or was cancelled.
        case latePayment = "late_payment"
        /// A payment whose amount or currency differed from its checkout's total.
        case amountMismatch = "amount_mismatch"
    }

    /// Which of an order's lines a partial refund is for: the line's position in the order's `lines` (from 0) and
    /// how many of its items. Informational: the refund's `amount` is what is given back.
    public struct Line: Sendable, Codable, Equatable {
        public var index: Int
        public var quantity: Int

        public init(index: Int, quantity: Int) {
            self.index = index
            self.quantity = quantity
        }
    }

    public var id: String
    public var kind: Kind
    /// nil for money that made no order.
    public var orderId: String?
    public var checkoutId: String
    /// The provider's event that brought money that made no order; its `resolution` follows the refund.
    public var paymentEventId: String?
    public var provider: PaymentProviderKind
    /// The payment at the provider (PaymentIntent id, PayPal capture id).
    public var paymentRef: String?
    /// In minor units of `currency`.
    public var amount: Int64
    public var currency: String
    public var reason: String
    public var lines: [Line]?
    public var status: Status
    /// Given back by staff outside Atelier (in the provider's dashboard, say): recorded, never asked of a provider.
    public var outside: Bool
    /// Sent with every call to the provider for this refund.
    public var idempotencyKey: String
    /// Calls made to the provider for it.
    public var attempts: Int
    public var lastError: String?
    /// What the provider answered it refunded.
    public var providerAmount: Int64?
    public var createdAt: Date
    public var updatedAt: Date
    public var completedAt: Date?

    public init(id: String, kind: Kind, orderId: String?, checkoutId: String, paymentEventId: String? = nil,
                provider: PaymentProviderKind, paymentRef: String?, amount: Int64, currency: String, reason: String,
                lines: [Line]? = nil, status: Status = .pending, outside: Bool = false, idempotencyKey: String, attempts: Int = 0,
                lastError: String? = nil, providerAmount: Int64? = nil, createdAt: Date, updatedAt: Date? = nil, completedAt: Date? = nil) {
        self.id = id
        self.kind = kind
        self.orderId = orderId
        self.checkoutId = checkoutId
        self.paymentEventId = paymentEventId
        self.provider = provider
        self.paymentRef = paymentRef
        self.amount = amount
        self.currency = currency
        self.reason = reason
        self.lines = lines
        self.status = status
        self.outside = outside
        self.idempotencyKey = idempotencyKey
        self.attempts = attempts
        self.lastError = lastError
        self.providerAmount = providerAmount
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
        self.completedAt = completedAt
    }
}
