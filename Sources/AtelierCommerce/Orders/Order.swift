import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Foundation

/// An order's life, in one place: which status may follow which, and what each step needs.
public enum OrderStatus: String, Sendable, Codable, CaseIterable {
    case pendingPayment = "pending_payment"
    case paid
    case inProduction = "in_production"
    case fulfilled
    case shipped
    case delivered
    case cancelled

    /// The statuses this one may move to.
    public var next: [OrderStatus] {
        switch self {
        case .pendingPayment: [.paid, .cancelled]
        case .paid: [.inProduction, .cancelled]
        case .inProduction: [.fulfilled, .cancelled]
        case .fulfilled: [.shipped]
        case .shipped: [.delivered]
        case .delivered, .cancelled: []
        }
    }
}

public struct Tracking: Sendable, Codable, Equatable {
    public var carrier: String
    public var number: String
    public var url: String?

    public init(carrier: String, number: String, url: String? = nil) {
        self.carrier = carrier
        self.number = number
        self.url = url
    }
}

/// A request to move an order, with what the target status needs.
public struct OrderTransitionRequest: Sendable, Equatable {
    public var to: OrderStatus
    public var reason: String?
    public var tracking: Tracking?
    public var deliveredAt: Date?
    /// A cancellation whose money staff gave back outside Atelier (in the provider's dashboard, say): the refund
    /// is recorded without calling the provider.
    public var refundedOutside: Bool
    public var details: [String: String]

    public init(to: OrderStatus, reason: String? = nil, tracking: Tracking? = nil, deliveredAt: Date? = nil, refundedOutside: Bool = false,
                details: [String: String] = [:]) {
        self.to = to
        self.reason = reason
        self.tracking = tracking
        self.deliveredAt = deliveredAt
        self.refundedOutside = refundedOutside
        self.details = details
    }
}

public struct Order: Sendable, Equatable {
    public var id: String
    public var number: String
    public var checkoutId: String
    public var status: OrderStatus
    public var currency: String
    public var subtotal: Int64
    public var shipping: Int64
    public var tax: Int64
    public var total: Int64
    public var snapshot: CheckoutSnapshot
    /// Sealed; open with `PersonalDataCipher`.
    public var sealedCustomer: String
    public var provider: PaymentProviderKind
    public var paymentRef: String?
    public var refunded: Int64
    public var tracking: Tracking?
    public var expectedShipDate: String
    public var paidAt: Date
    public var deliveredAt: Date?
    public var createdAt: Date
    public var updatedAt: Date
}

/// One audit record: never updated, never deleted (the database refuses both).
public struct OrderTransition: Sendable, Equatable {
    public var id: String
    public var orderId: String
    public var at: Date
    public var actor: Actor
    public var from: OrderStatus?
    public var to: OrderStatus
    public var reason: String?
    public var details: [String: String]
}
