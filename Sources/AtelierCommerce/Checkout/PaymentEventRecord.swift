import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Foundation
import SQLKit

/// One provider event as it was recorded, with what it did.
public struct PaymentEventRecord: Sendable, Equatable {
    public var provider: String
    public var eventId: String
    public var type: String
    public var checkoutId: String?
    public var amount: Int64?
    public var currency: String?
    public var outcome: String
    /// For payments that could not make an order: `refunded N` or `refund_failed: code`.
    public var resolution: String?
    public var receivedAt: Date
}
