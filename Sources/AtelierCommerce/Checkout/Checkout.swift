import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Foundation

/// The payment providers a checkout can use. `test` is built in: its payments are completed through
/// a documented local call, for development and tests; the others need their configuration.
public enum PaymentProviderKind: String, Sendable, Codable, CaseIterable {
    case test, stripe, paypal
}

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

/// Everything an order is made from, frozen at checkout: lines with their customization, pinned
/// template versions and prices, the quote and the ship dates. Holds no contact data (that is sealed
/// separately), though customization texts may be personal.
public struct CheckoutSnapshot: Sendable, Codable, Equatable {
    public struct Line: Sendable, Codable, Equatable {
        public var lineId: String
        public var productId: String
        public var productSlug: String
        public var productName: String
        public var sku: String?
        public var templateVersion: Int?
        public var state: CustomizationState
        public var previewAssetId: String?
        /// The customization session the line was made in (privacy requests find it through the order).
        public var sessionId: String?
        public var quantity: Int
        public var unit: PricingEngine.UnitPrice
        public var amount: Int64
        public var leadTimeDays: Int
        public var shipDate: String
    }

    public struct TaxLine: Sendable, Codable, Equatable {
        public var rateId: String
        public var name: String
        public var ratePpm: Int64
        public var onGoods: Int64
        public var onShipping: Int64
    }

    public var currency: String
    public var taxMode: TaxMode
    public var lines: [Line]
    public var subtotal: Int64
    public var shippingMethod: String
    public var shippingName: String
    public var shipping: Int64
    public var taxLines: [TaxLine]
    public var tax: Int64
    public var total: Int64
    public var expectedShipDate: String
    public var destination: String

    init(review: CartReview, quote: PricingEngine.Quote, destination: Destination) {
        currency = quote.currency
        taxMode = quote.taxMode
        lines = review.lines.map { entry in
            Line(lineId: entry.line.id, productId: entry.line.productId, productSlug: entry.product?.definition.slug ?? "",
                 productName: entry.product?.definition.name ?? "", sku: entry.product?.definition.sku(for: entry.line.state.selection),
                 templateVersion: entry.line.templateVersion, state: entry.line.state, previewAssetId: entry.line.previewAssetId,
                 sessionId: entry.line.sessionId, quantity: entry.line.quantity, unit: entry.unit, amount: entry.amount, leadTimeDays: entry.leadTimeDays,
                 shipDate: entry.shipDate)
        }
        subtotal = quote.subtotal
        shippingMethod = quote.shipping?.method ?? ""
        shippingName = quote.shipping?.name ?? ""
        shipping = quote.shipping?.amount ?? 0
        taxLines = quote.taxLines.map { TaxLine(rateId: $0.rateId, name: $0.name, ratePpm: $0.ratePpm, onGoods: $0.onGoods, onShipping: $0.onShipping) }
        tax = quote.taxTotal
        total = quote.total
        expectedShipDate = review.shipDate ?? ""
        self.destination = destination.description
    }
}

extension CheckoutSnapshot {
    /// Every asset the lines use: uploaded images in zones and rendered previews.
    public var assetIds: Set<String> {
        var ids = Set<String>()
        for line in lines {
            if let preview = line.previewAssetId { ids.insert(preview) }
            ids.formUnion(line.state.assetIds)
        }
        return ids
    }
}

extension CustomizationState {
    public var assetIds: Set<String> { Set(zones.values.compactMap(\.image)) }

    /// The same choices with the shopper's own texts and images taken out (erasure).
    public var erased: CustomizationState {
        var copy = self
        for (code, var value) in copy.zones {
            if var text = value.text {
                text.text = "[erased]"
                value.text = text
            }
            if value.image != nil { value.image = "erased" }
            copy.zones[code] = value
        }
        return copy
    }
}

public enum CheckoutStatus: String, Sendable, Codable {
    case pending, paid, expired, cancelled
}

public struct Checkout: Sendable, Equatable {
    public var id: String
    public var cartId: String
    public var status: CheckoutStatus
    public var provider: PaymentProviderKind
    public var providerRef: String?
    public var clientSecret: String?
    public var approvalURL: String?
    public var currency: String
    public var total: Int64
    public var snapshot: CheckoutSnapshot
    public var orderId: String?
    public var expiresAt: Date
    public var createdAt: Date

    /// Pending and no payment at the provider yet (its creation failed or its answer was lost). A gateway that settles
    /// locally (the test provider) gives its payment when the checkout is written: such a checkout never waits.
    public var awaitsProviderPayment: Bool { status == .pending && providerRef == nil }
}

/// The cart's total moved away from the one the storefront showed: the new quote goes back.
public struct TotalChanged: Error, Sendable {
    public var expected: Int64
    public var quote: PricingEngine.Quote
    public var review: CartReview
}
