import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import Crypto
import Foundation
import SQLKit

/// The fulfillment service: where paid orders go to be made, and who reports their progress back.
public struct FulfillmentSettings: Sendable, Equatable {
    /// Receives `fulfillment.order` (and `order.status_changed`) deliveries.
    public var url: String
    /// `whsec_…`, shared both ways: deliveries to the service are signed with it, and its updates to
    /// `POST /webhooks/fulfillment` must be.
    public var secret: String
    /// Where the service fetches previews and uploaded artwork (`https://shop-api.example`).
    public var publicBaseURL: String

    public init(url: String, secret: String, publicBaseURL: String) {
        self.url = url
        self.secret = secret
        self.publicBaseURL = publicBaseURL.hasSuffix("/") ? String(publicBaseURL.dropLast()) : publicBaseURL
    }
}
