import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Foundation
import SQLKit

/// One thing that happened to a checkout besides becoming an order: it expired, or someone cancelled it.
public struct CheckoutAuditRecord: Sendable, Equatable {
    public enum Event: String, Sendable { case expired, cancelled }

    public var at: Date
    public var event: Event
    public var actor: Actor
    public var reason: String?
}
