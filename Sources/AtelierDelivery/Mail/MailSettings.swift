import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import Foundation
import Mustache
import SQLKit

/// Who the shop's emails come from and where their links point.
public struct MailSettings: Sendable, Equatable {
    public enum Transport: Sendable, Equatable {
        /// `.eml` files in this folder.
        case files(String)
        case smtp(SMTPSettings)
    }

    public var from: String
    public var shopName: String
    /// The tracking link is `<trackingBaseURL>/orders/<order id>?token=<access token>`.
    public var trackingBaseURL: String
    public var transport: Transport

    public init(from: String, shopName: String, trackingBaseURL: String, transport: Transport) {
        self.from = from
        self.shopName = shopName
        self.trackingBaseURL = trackingBaseURL.hasSuffix("/") ? String(trackingBaseURL.dropLast()) : trackingBaseURL
        self.transport = transport
    }
}
