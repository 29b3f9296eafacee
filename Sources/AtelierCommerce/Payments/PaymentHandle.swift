import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// What the storefront needs to take the payment, and the provider's id for it.
public struct PaymentHandle: Sendable, Equatable {
    /// The PaymentIntent id (Stripe) or the order id (PayPal).
    public var reference: String
    public var clientSecret: String?
    public var approvalURL: String?

    public init(reference: String, clientSecret: String? = nil, approvalURL: String? = nil) {
        self.reference = reference
        self.clientSecret = clientSecret
        self.approvalURL = approvalURL
    }
}
