import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Foundation

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
