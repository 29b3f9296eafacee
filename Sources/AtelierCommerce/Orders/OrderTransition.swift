import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Foundation

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
