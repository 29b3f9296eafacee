import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Foundation

/// What the shopper sends to check out.
public struct CheckoutRequest: Sendable, Codable, Equatable {
    public var customer: CustomerDetails
    public var shippingMethod: String?
    public var provider: PaymentProviderKind
    /// The total the storefront showed; a different server total is 409 with the new quote.
    public var expectedTotal: Int64?

    public init(customer: CustomerDetails, shippingMethod: String? = nil, provider: PaymentProviderKind, expectedTotal: Int64? = nil) {
        self.customer = customer
        self.shippingMethod = shippingMethod
        self.provider = provider
        self.expectedTotal = expectedTotal
    }
}
