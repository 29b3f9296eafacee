@testable import Atelier
@testable import AtelierCore
@testable import AtelierAssets
@testable import AtelierCatalog
@testable import AtelierCustomization
@testable import AtelierCommerce
@testable import AtelierDelivery
@testable import AtelierInsights
@testable import AtelierPrivacy
@testable import AtelierAccess
import Foundation
import PropertyBased
import Testing

/// The pricing engine's rules, checked on generated carts against an independent decimal oracle.
@Suite struct PricingEngineTests {
    // MARK: generators

    static let units = zip(Gen.int64(in: 0...100_000_000), Gen.int64(in: -50_000...50_000), Gen.int64(in: 0...20_000),
                           Gen.int64(in: 0...20_000))
        .map { PricingEngine.UnitPrice(base: $0, variantAdjustments: $1, optionSurcharges: $2, customizationSurcharges: $3) }

    static let lines = zip(units, Gen.int(in: 1...100), Gen.int(in: 0...5000)).array(of: 1...8).map { entries in
        entries.enumerated().map { index, entry in
            PricingEngine.LineInput(id: "line_\(index)", unit: entry.0, quantity: entry.1, unitWeightGrams: entry.2)
        }
    }

    /// One to three rates that apply to US-CA, some also to shipping.
    static let rates = zip(Gen.int64(in: 1...250_000), Gen.bool).array(of: 1...3).map { entries in
        entries.enumerated().map { index, entry in
            TaxRate(id: "tax_\(index)", name: "Tax \(index)", country: "US", region: index == 0 ? nil : "CA",
                    ratePpm: entry.0, appliesToShipping: entry.1)
        }
    }

    static let shipping = zip(Gen.int64(in: 0...5000), Gen.int64(in: 0...500), Gen.int64(in: 0...200_000))
        .map { base, perItem, free in
            ShippingMethod(code: "standard", name: "Standard", rates: [
                .init(country: "US", baseAmount: base, perItemAmount: perItem, freeAbove: free == 0 ? nil : free),
            ])
        }

    static let destination = Destination(country: "US", region: "CA")

    /// One item of the given weight, worth nothing.
    static func basket(grams: Int) -> PricingEngine.Basket {
        PricingEngine.Basket([.init(id: "a", unit: .init(base: 0), quantity: 1, unitWeightGrams: grams)])
    }

    /// base × rate rounded half up, computed with Foundation's decimal arithmetic, not the engine's.
    static func oracleTax(_ base: Int64, ppm: Int64, inclusive: Bool) -> Int64 {
        let b = Decimal(base), r = Decimal(ppm)
        var exact = inclusive ? b * r / (Decimal(1_000_000) + r) : b * r / Decimal(1_000_000)
        var rounded = Decimal()
        NSDecimalRound(&rounded, &exact, 0, .plain)
        return NSDecimalNumber(decimal: rounded).int64Value
    }

    // MARK: properties

    @Test func totalsEqualTheSumOfTheirParts() async throws {
        await propertyCheck(count: 300, input: Self.lines, Self.rates, Self.shipping, Gen.bool) { lines, rates, method, inclusive in
            let mode: TaxMode = inclusive ? .inclusive : .exclusive
            let quote = try PricingEngine.quote(lines: lines, currency: "USD", taxMode: mode, destination: Self.destination,
                                                shipping: method, taxRates: rates)
            for (line, priced) in zip(lines, quote.lines) {
                let unit = line.unit
                #expect(unit.total == max(0, unit.base + unit.variantAdjustments + unit.optionSurcharges + unit.customizationSurcharges))
                #expect(priced.amount == unit.total * Int64(line.quantity))
            }
            #expect(quote.subtotal == quote.lines.reduce(0) { $0 + $1.amount })
            #expect(quote.taxTotal == quote.taxLines.reduce(0) { $0 + $1.onGoods + $1.onShipping })
            let shipping = quote.shipping?.amount ?? 0
            #expect(quote.total == quote.subtotal + shipping + (inclusive ? 0 : quote.taxTotal))

            // Tax on each base matches the decimal oracle at the combined rate, split exactly.
            let combined = rates.reduce(0) { $0 + $1.ratePpm }
            let shippingCombined = rates.filter(\.appliesToShipping).reduce(0) { $0 + $1.ratePpm }
            #expect(quote.taxLines.reduce(0) { $0 + $1.onGoods } == Self.oracleTax(quote.subtotal, ppm: combined, inclusive: inclusive))
            #expect(quote.taxLines.reduce(0) { $0 + $1.onShipping }
                == (shippingCombined == 0 ? 0 : Self.oracleTax(shipping, ppm: shippingCombined, inclusive: inclusive)))
            // Each rate's share is within one minor unit of its exact proportion.
            let goodsTax = quote.taxLines.reduce(0) { $0 + $1.onGoods }
            for line in quote.taxLines {
                let exact = Decimal(goodsTax) * Decimal(line.ratePpm) / Decimal(combined)
                let difference = NSDecimalNumber(decimal: Decimal(line.onGoods) - exact).doubleValue
                #expect(abs(difference) < 1)
            }
        }
    }

    @Test func splittingOrMergingQuantitiesNeverDriftsByACent() async throws {
        await propertyCheck(count: 300, input: Self.units, Gen.int(in: 2...100), Self.rates, Gen.bool) { unit, quantity, rates, inclusive in
            let mode: TaxMode = inclusive ? .inclusive : .exclusive
            let one = try PricingEngine.quote(lines: [.init(id: "a", unit: unit, quantity: quantity)], currency: "USD",
                                              taxMode: mode, destination: Self.destination, taxRates: rates)
            let split = quantity / 2
            let two = try PricingEngine.quote(lines: [.init(id: "a", unit: unit, quantity: split), .init(id: "b", unit: unit, quantity: quantity - split)],
                                              currency: "USD", taxMode: mode, destination: Self.destination, taxRates: rates)
            let singles = try PricingEngine.quote(lines: (0..<quantity).map { .init(id: "u\($0)", unit: unit, quantity: 1) },
                                                  currency: "USD", taxMode: mode, destination: Self.destination, taxRates: rates)
            #expect(one.subtotal == unit.total * Int64(quantity))
            for other in [two, singles] {
                #expect(other.subtotal == one.subtotal)
                #expect(other.taxLines == one.taxLines)
                #expect(other.total == one.total)
            }
        }
    }

    @Test func inclusiveAndExclusiveTaxAgree() async throws {
        // A net price with tax added, entered as a gross price, gives back the same tax and the same total.
        await propertyCheck(count: 500, input: Gen.int64(in: 0...100_000_000), Gen.int64(in: 0...20_000), Self.rates) { net, shippingNet, rates in
            let netMethod = ShippingMethod(code: "std", name: "Standard", rates: [.init(country: "US", baseAmount: shippingNet)])
            let exclusive = try PricingEngine.quote(lines: [.init(id: "a", unit: .init(base: net), quantity: 1)], currency: "EUR",
                                                    taxMode: .exclusive, destination: Self.destination, shipping: netMethod, taxRates: rates)
            let goodsTax = exclusive.taxLines.reduce(0) { $0 + $1.onGoods }
            let shippingTax = exclusive.taxLines.reduce(0) { $0 + $1.onShipping }
            let grossMethod = ShippingMethod(code: "std", name: "Standard", rates: [.init(country: "US", baseAmount: shippingNet + shippingTax)])
            let inclusive = try PricingEngine.quote(lines: [.init(id: "a", unit: .init(base: net + goodsTax), quantity: 1)], currency: "EUR",
                                                    taxMode: .inclusive, destination: Self.destination, shipping: grossMethod, taxRates: rates)
            #expect(inclusive.taxLines == exclusive.taxLines)
            #expect(inclusive.total == exclusive.total)
            #expect(inclusive.subtotal - goodsTax == net)
        }
    }

    @Test func allocationAlwaysAddsUpAndStaysProportional() async throws {
        await propertyCheck(count: 500, input: Gen.int64(in: -1_000_000_000...1_000_000_000), Gen.int64(in: 0...1_000_000).array(of: 1...6)) { total, weights in
            let named = weights.enumerated().map { ("w\($0.offset)", $0.element) }
            let shares = PricingEngine.allocate(total, by: named)
            guard weights.reduce(0, +) > 0 else {
                #expect(shares.isEmpty)
                return
            }
            #expect(shares.values.reduce(0, +) == total)
            let sum = Decimal(weights.reduce(0, +))
            for (id, weight) in named {
                let exact = Decimal(total) * Decimal(weight) / sum
                #expect(abs(NSDecimalNumber(decimal: Decimal(shares[id] ?? 0) - exact).doubleValue) < 1)
            }
        }
    }

    // MARK: examples

    @Test func aUSExampleWithStateTaxOnShippingAndFreeShippingAboveAThreshold() throws {
        let tee = PricingEngine.UnitPrice(base: 1900, variantAdjustments: 200, optionSurcharges: 300, customizationSurcharges: 450)
        let method = ShippingMethod(code: "standard", name: "Standard", rates: [
            .init(country: "US", baseAmount: 500, perItemAmount: 100, freeAbove: 10_000),
            .init(country: "*", baseAmount: 2500),
        ])
        let rates = [TaxRate(id: "tax_ca", name: "California", country: "US", region: "CA", ratePpm: 72_500, appliesToShipping: false)]
        let quote = try PricingEngine.quote(lines: [.init(id: "l1", unit: tee, quantity: 2)], currency: "USD", taxMode: .exclusive,
                                            destination: Self.destination, shipping: method, taxRates: rates)
        #expect(quote.subtotal == 5700)
        #expect(quote.shipping?.amount == 700)  // 500 + 2 × 100
        #expect(quote.taxTotal == 413)  // 5700 × 7.25 % = 413.25
        #expect(quote.total == 6813)
        // Above the threshold shipping is waived; elsewhere the "*" rate applies; Oregon has no tax.
        let big = try PricingEngine.quote(lines: [.init(id: "l1", unit: tee, quantity: 4)], currency: "USD", taxMode: .exclusive,
                                          destination: Self.destination, shipping: method, taxRates: rates)
        #expect(big.shipping == .init(method: "standard", name: "Standard", amount: 0, waived: true))
        let abroad = try PricingEngine.quote(lines: [.init(id: "l1", unit: tee, quantity: 4)], currency: "USD", taxMode: .exclusive,
                                             destination: .init(country: "DE"), shipping: method, taxRates: rates)
        #expect(abroad.shipping?.amount == 2500)
        #expect(abroad.taxTotal == 0)
    }

    @Test func halvesRoundAwayFromZero() {
        #expect(PricingEngine.divideRoundingHalfUp(5, 10) == 1)
        #expect(PricingEngine.divideRoundingHalfUp(4, 10) == 0)
        #expect(PricingEngine.divideRoundingHalfUp(15, 10) == 2)
        #expect(PricingEngine.divideRoundingHalfUp(-5, 10) == -1)
        #expect(PricingEngine.divideRoundingHalfUp(-4, 10) == 0)
        // 19 % VAT inside 11.90: exactly 1.90.
        #expect(PricingEngine.tax(on: 1190, rates: [.init(id: "vat", name: "VAT", country: "DE", ratePpm: 190_000)], mode: .inclusive) == ["vat": 190])
    }

    @Test func weightBracketsPickTheFirstThatFitsAndRefuseHeavierCarts() throws {
        let method = ShippingMethod(code: "parcel", name: "Parcel", rates: [
            .init(country: "DE", baseAmount: 100, weightBrackets: [.init(upToGrams: 1000, amount: 490), .init(upToGrams: 5000, amount: 990)]),
        ])
        let light = PricingEngine.shippingAmount(method, to: .init(country: "DE"), Self.basket(grams: 1000))
        #expect(light?.charge == 590)
        #expect(PricingEngine.shippingAmount(method, to: .init(country: "DE"), Self.basket(grams: 1001))?.charge == 1090)
        #expect(PricingEngine.shippingAmount(method, to: .init(country: "DE"), Self.basket(grams: 5001)) == nil)
        #expect(PricingEngine.shippingAmount(method, to: .init(country: "FR"), Self.basket(grams: 10)) == nil)
        #expect(throws: AtelierError.self) {
            try PricingEngine.quote(lines: [.init(id: "a", unit: .init(base: 100), quantity: 6, unitWeightGrams: 1000)], currency: "EUR",
                                    taxMode: .inclusive, destination: .init(country: "DE"), shipping: method)
        }
    }

    @Test func theMostSpecificShippingRateWins() {
        let method = ShippingMethod(code: "std", name: "Std", rates: [
            .init(country: "*", baseAmount: 3000), .init(country: "US", baseAmount: 800), .init(country: "US", region: "HI", baseAmount: 1800),
        ])
        #expect(method.rate(for: .init(country: "US", region: "HI"))?.baseAmount == 1800)
        #expect(method.rate(for: .init(country: "US", region: "CA"))?.baseAmount == 800)
        #expect(method.rate(for: .init(country: "US"))?.baseAmount == 800)
        #expect(method.rate(for: .init(country: "JP"))?.baseAmount == 3000)
    }

    @Test func taxRatesAreWrittenAsPercentagesAndReadBackExactly() {
        #expect(TaxRate.ppm(fromPercent: "8.875") == 88_750)
        #expect(TaxRate.ppm(fromPercent: "20") == 200_000)
        #expect(TaxRate.ppm(fromPercent: "0.0001") == 1)
        #expect(TaxRate.ppm(fromPercent: "100") == 1_000_000)
        for bad in ["0", "0.0", "100.0001", "101", "-5", "5.", ".5", "5.12345", "1e2", "٥", " 5", ""] {
            #expect(TaxRate.ppm(fromPercent: bad) == nil, "\(bad)")
        }
        for ppm: Int64 in [1, 10, 88_750, 200_000, 70_000, 1_000_000, 5_000] {
            #expect(TaxRate.ppm(fromPercent: TaxRate.percent(fromPpm: ppm)) == ppm)
        }
        #expect(TaxRate.percent(fromPpm: 88_750) == "8.875")
    }

    @Test func shippingMethodsAreValidatedWithEveryProblemLocated() {
        let method = ShippingMethod(code: "Bad Code", name: "", position: -1, rates: [
            .init(country: "usa", baseAmount: -1, weightBrackets: [.init(upToGrams: 500, amount: 1), .init(upToGrams: 500, amount: 2)]),
            .init(country: "*", region: "CA"),
            .init(country: "DE"), .init(country: "DE"),
        ])
        let codes = Set(method.problems().map { "\($0.pointer) \($0.code)" })
        #expect(codes.isSuperset(of: [
            "/code invalid_code", "/name required", "/position out_of_range", "/rates/0/country invalid_country",
            "/rates/0/baseAmount out_of_range", "/rates/0/weightBrackets/1/upToGrams not_ascending",
            "/rates/1/region region_without_country", "/rates/3 duplicate_rate",
        ]))
    }
}
