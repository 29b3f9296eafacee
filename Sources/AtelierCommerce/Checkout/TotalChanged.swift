import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Foundation

/// The cart's total moved away from the one the storefront showed: the new quote goes back.
public struct TotalChanged: Error, Sendable {
    public var expected: Int64
    public var quote: PricingEngine.Quote
    public var review: CartReview
}
