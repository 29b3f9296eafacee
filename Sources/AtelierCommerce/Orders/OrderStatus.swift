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

    /// Paid and not yet shipped: what the workshop still has to make and send.
    public static let toShip: [OrderStatus] = [.paid, .inProduction, .fulfilled]

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
