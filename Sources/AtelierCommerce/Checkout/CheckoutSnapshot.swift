import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Foundation

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
