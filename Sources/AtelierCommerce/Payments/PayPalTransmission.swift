import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AsyncHTTPClient
import Foundation
import NIOHTTP1

/// The `PAYPAL-*` headers of a webhook delivery.
public struct PayPalTransmission: Sendable, Equatable {
    public var id: String
    public var time: String
    public var signature: String
    public var certURL: String
    public var authAlgorithm: String

    public init(id: String, time: String, signature: String, certURL: String, authAlgorithm: String) {
        self.id = id
        self.time = time
        self.signature = signature
        self.certURL = certURL
        self.authAlgorithm = authAlgorithm
    }
}
