import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import Foundation
import SQLKit

/// One try of a delivery, as the attempt log keeps it.
public struct DeliveryAttempt: Sendable, Equatable {
    public var number: Int
    public var at: Date
    public var url: String
    public var status: Int?
    public var latencyMs: Int
    public var responseExcerpt: String?
    public var error: String?
}
