import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import Crypto
import Foundation
import SQLKit

/// A progress report from the fulfillment service.
public struct FulfillmentUpdate: Sendable, Equatable, Decodable {
    public struct Tracking: Sendable, Equatable, Decodable {
        public var carrier: String
        public var number: String
        public var url: String?
    }
    public var orderId: String
    /// `in_production`, `fulfilled`, `shipped` or `delivered`.
    public var status: String
    public var tracking: Tracking?
    public var deliveredAt: Date?
}
