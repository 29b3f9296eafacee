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

    /// Refuses what no transition may carry (422, each problem at its pointer): a tracking entry without carrier
    /// or number, a reason with control characters. Whether the step itself is allowed is the store's decision.
    public func validate() throws {
        if let tracking {
            var problems = ValidationErrors()
            tracking.check(at: "/tracking", into: &problems)
            try problems.check()
        }
        if let reason, reason.containsNUL || reason.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\n" }) {
            throw AtelierError.validation([.init(pointer: "/reason", code: .invalidCharacters, message: "must not contain control characters.")])
        }
    }
}
