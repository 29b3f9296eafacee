/// The one place where money is computed: unit prices, lines, shipping and tax. Pure — no I/O, no
/// clock, no floating point. Sessions, carts and checkout all call it with what they read, so a
/// price can never differ between the page that showed it and the order that charged it.
///
/// Rounding rule (docs/pricing.md): amounts are integers in minor units. Only tax needs rounding.
/// Tax is computed once per taxable base — the goods subtotal, and the shipping charge — at the
/// combined rate of every rate that applies to that base, rounded half up (half away from zero),
/// then split among those rates by largest remainder. Per-total rounding means adding a second
/// identical line, or raising a quantity, never drifts the tax by a cent.
import AtelierCore
public enum PricingEngine {
    /// Parts per million: a rate of 8.875 % is 88,750.
    public static let ppmScale: Int64 = 1_000_000

    // MARK: unit price

    /// unit = base + variant adjustments + option surcharges + customization surcharges.
    public struct UnitPrice: Sendable, Equatable, Codable {
        public var base: Int64
        public var variantAdjustments: Int64
        public var optionSurcharges: Int64
        public var customizationSurcharges: Int64

        public init(base: Int64, variantAdjustments: Int64 = 0, optionSurcharges: Int64 = 0, customizationSurcharges: Int64 = 0) {
            self.base = base
            self.variantAdjustments = variantAdjustments
            self.optionSurcharges = optionSurcharges
            self.customizationSurcharges = customizationSurcharges
        }

        /// Never below zero: a negative adjustment can make a product free, not pay the shopper.
        public var total: Int64 { max(0, base + variantAdjustments + optionSurcharges + customizationSurcharges) }
    }

    /// The unit price of a selection, add-ons and zone surcharge. Unknown codes add nothing: validate first.
    public static func unitPrice(_ definition: ProductDefinition, selection: [String: String], options: [String: [String]],
                                 customizationSurcharges: Int64 = 0) -> UnitPrice {
        var adjustments: Int64 = 0
        for dimension in definition.dimensions {
            adjustments += selection[dimension.code].flatMap(dimension.value)?.priceAdjustment ?? 0
        }
        var surcharges: Int64 = 0
        for set in definition.optionSets {
            for code in Set(options[set.code] ?? []) {
                surcharges += set.options.first { $0.code == code }?.surcharge ?? 0
            }
        }
        return UnitPrice(base: definition.basePrice, variantAdjustments: adjustments, optionSurcharges: surcharges,
                         customizationSurcharges: customizationSurcharges)
    }

    // MARK: quote

    /// One line as the engine needs it: what one unit costs now, how many, how heavy one unit is.
    public struct LineInput: Sendable, Equatable {
        public var id: String
        public var unit: UnitPrice
        public var quantity: Int
        public var unitWeightGrams: Int

        public init(id: String, unit: UnitPrice, quantity: Int, unitWeightGrams: Int = 0) {
            self.id = id
            self.unit = unit
            self.quantity = quantity
            self.unitWeightGrams = unitWeightGrams
        }

        public var amount: Int64 { unit.total * Int64(quantity) }
    }

    public struct PricedLine: Sendable, Equatable {
        public var id: String
        public var unit: UnitPrice
        public var quantity: Int
        /// unit × quantity.
        public var amount: Int64
    }

    public struct ShippingCharge: Sendable, Equatable {
        public var method: String
        public var name: String
        public var amount: Int64
        /// The charge before a free-shipping threshold waived it.
        public var waived: Bool
    }

    public struct TaxLine: Sendable, Equatable {
        public var rateId: String
        public var name: String
        public var ratePpm: Int64
        /// The part levied on goods and the part levied on shipping; `amount` is their sum.
        public var onGoods: Int64
        public var onShipping: Int64
        public var amount: Int64 { onGoods + onShipping }
    }

    public struct Quote: Sendable, Equatable {
        public var currency: String
        public var taxMode: TaxMode
        public var lines: [PricedLine]
        /// Sum of the line amounts (tax included when prices include tax).
        public var subtotal: Int64
        public var shipping: ShippingCharge?
        public var taxLines: [TaxLine]
        public var taxTotal: Int64
        /// What the shopper pays. Exclusive: subtotal + shipping + tax. Inclusive: subtotal + shipping (tax is inside).
        public var total: Int64
    }

    /// What shipping is priced on: the goods subtotal, the number of items and their weight.
    public struct Basket: Sendable, Equatable {
        public var subtotal: Int64
        public var units: Int
        public var weightGrams: Int

        public init(_ lines: [LineInput]) {
            subtotal = lines.reduce(0) { $0 + $1.amount }
            units = lines.reduce(0) { $0 + $1.quantity }
            weightGrams = lines.reduce(0) { $0 + $1.unitWeightGrams * $1.quantity }
        }
    }

    /// The full breakdown of a cart. Without a destination there is neither shipping nor tax; without
    /// a method, no shipping. Throws `shipping_unavailable` when the method does not ship there.
    public static func quote(
        lines: [LineInput], currency: String, taxMode: TaxMode,
        destination: Destination? = nil, shipping method: ShippingMethod? = nil, taxRates: [TaxRate] = []
    ) throws(AtelierError) -> Quote {
        let priced = lines.map { PricedLine(id: $0.id, unit: $0.unit, quantity: $0.quantity, amount: $0.amount) }
        let basket = Basket(lines)
        let subtotal = basket.subtotal

        var charge: ShippingCharge?
        if let method, let destination {
            guard let amount = shippingAmount(method, to: destination, basket) else {
                throw AtelierError(.unprocessable, code: .shippingUnavailable, title: "Shipping method unavailable",
                                   detail: "'\(method.code)' does not ship this cart to \(destination.description).")
            }
            charge = ShippingCharge(method: method.code, name: method.name, amount: amount.charge, waived: amount.waived)
        }
        let shippingAmount = charge?.amount ?? 0

        var taxLines: [TaxLine] = []
        if let destination {
            let applicable = taxRates.filter { $0.applies(to: destination) }
            let onGoods = tax(on: subtotal, rates: applicable, mode: taxMode)
            let onShipping = tax(on: shippingAmount, rates: applicable.filter(\.appliesToShipping), mode: taxMode)
            taxLines = applicable.map { rate in
                TaxLine(rateId: rate.id, name: rate.name, ratePpm: rate.ratePpm,
                        onGoods: onGoods[rate.id] ?? 0, onShipping: onShipping[rate.id] ?? 0)
            }
        }
        let taxTotal = taxLines.reduce(Int64(0)) { $0 + $1.amount }
        let total = subtotal + shippingAmount + (taxMode == .exclusive ? taxTotal : 0)
        return Quote(currency: currency, taxMode: taxMode, lines: priced, subtotal: subtotal, shipping: charge,
                     taxLines: taxLines, taxTotal: taxTotal, total: total)
    }

    // MARK: shipping

    /// The charge of `method` for a cart, or nil when the method has no rate for the destination or
    /// the cart is heavier than its last weight bracket.
    public static func shippingAmount(_ method: ShippingMethod, to destination: Destination, _ basket: Basket) -> (charge: Int64, waived: Bool)? {
        guard method.active, let rate = method.rate(for: destination) else { return nil }
        var amount = rate.baseAmount + rate.perItemAmount * Int64(basket.units)
        if !rate.weightBrackets.isEmpty {
            guard let bracket = rate.weightBrackets.first(where: { basket.weightGrams <= $0.upToGrams }) else { return nil }
            amount += bracket.amount
        }
        if let threshold = rate.freeAbove, basket.subtotal >= threshold { return (0, amount > 0) }
        return (amount, false)
    }

    // MARK: tax

    /// Tax on one base, split among `rates` by their share of the combined rate. Exclusive: the base
    /// is net and tax = base × R. Inclusive: the base is gross and tax = base × R / (1 + R).
    static func tax(on base: Int64, rates: [TaxRate], mode: TaxMode) -> [String: Int64] {
        let combined = rates.reduce(Int64(0)) { $0 + $1.ratePpm }
        guard base != 0, combined > 0 else { return [:] }
        let total: Int64 = switch mode {
        case .exclusive: divideRoundingHalfUp(Int128(base) * Int128(combined), Int128(ppmScale))
        case .inclusive: divideRoundingHalfUp(Int128(base) * Int128(combined), Int128(ppmScale + combined))
        }
        return allocate(total, by: rates.map { ($0.id, $0.ratePpm) })
    }

    /// Splits `total` in proportion to the weights: each share rounded down, the cents left over go to
    /// the largest remainders (earlier entries first on ties). The shares always add up to `total`.
    public static func allocate(_ total: Int64, by weights: [(String, Int64)]) -> [String: Int64] {
        let sum = weights.reduce(Int64(0)) { $0 + $1.1 }
        guard sum > 0 else { return [:] }
        let magnitude = Int128(total.magnitude)
        var shares: [(id: String, share: Int128, remainder: Int128)] = weights.map { id, weight in
            let exact = magnitude * Int128(weight)
            return (id, exact / Int128(sum), exact % Int128(sum))
        }
        var left = magnitude - shares.reduce(Int128(0)) { $0 + $1.share }
        for index in shares.indices.sorted(by: { shares[$0].remainder > shares[$1].remainder || (shares[$0].remainder == shares[$1].remainder && $0 < $1) }) {
            guard left > 0 else { break }
            shares[index].share += 1
            left -= 1
        }
        let sign: Int64 = total < 0 ? -1 : 1
        var result: [String: Int64] = [:]
        for entry in shares { result[entry.id, default: 0] += sign * Int64(entry.share) }
        return result
    }

    /// numerator / denominator rounded to the nearest integer, halves away from zero. denominator > 0.
    public static func divideRoundingHalfUp(_ numerator: Int128, _ denominator: Int128) -> Int64 {
        let magnitude = (numerator.magnitude * 2 + denominator.magnitude) / (denominator.magnitude * 2)
        return numerator < 0 ? -Int64(magnitude) : Int64(magnitude)
    }
}
