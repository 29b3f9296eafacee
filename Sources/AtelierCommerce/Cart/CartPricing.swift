import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Foundation
import SQLKit

/// Reviews and quotes carts: the catalog check, the pricing engine, shipping and tax, and ship dates.
public struct CartPricing: Sendable {
    public let currency: String
    public let taxMode: TaxMode
    public let calendar: ShipDateCalendar
    let check: CustomizationCheck
    let clock: WallClock

    public init(currency: String, taxMode: TaxMode, calendar: ShipDateCalendar, memo: CatalogMemo? = nil, clock: WallClock = .system) {
        self.currency = currency
        self.taxMode = taxMode
        self.calendar = calendar
        self.check = CustomizationCheck(memo: memo)
        self.clock = clock
    }

    public func review(_ cart: Cart, on db: any SQLDatabase) async throws -> CartReview {
        let subjects = cart.lines.map {
            CustomizationCheck.Subject(productId: $0.productId, templateVersion: $0.templateVersion, state: $0.state)
        }
        let (results, stock) = try await check.check(subjects, on: db)
        let now = clock.now

        // Tracked stock is shared by every line drawing on it: two lines of one variant need both quantities.
        var demand: [String: Int] = [:]
        for (line, result) in zip(cart.lines, results) {
            for key in Set(result.stockKeys) { demand[line.productId + "#" + key, default: 0] += line.quantity }
        }

        var reviewed: [CartReview.Line] = []
        var shipDates: [Int: String] = [:]
        for (line, result) in zip(cart.lines, results) {
            let shipDate = shipDates[result.leadTimeDays] ?? calendar.shipDate(leadDays: result.leadTimeDays, from: now)
            shipDates[result.leadTimeDays] = shipDate
            var flags = Self.flags(for: result.errors)
            if result.product != nil {
                for key in Set(result.stockKeys) {
                    guard let item = stock[line.productId]?[key], item.available > 0,
                        demand[line.productId + "#" + key, default: 0] > item.available
                    else { continue }
                    flags.append(.init(code: .insufficientStock, blocking: true,
                                       message: "only \(item.available) left of an item this line needs; lower the quantity.",
                                       available: item.available))
                }
            }
            if let product = result.product, !flags.contains(where: \.blocking) {
                if line.templateVersion != nil, product.templateVersion != line.templateVersion {
                    flags.append(.init(code: .templateChanged, blocking: false,
                                       message: "the design template was updated; this line keeps the version it was made with."))
                }
                if result.unit.total != line.unitPrice || result.currency != line.currency {
                    flags.append(.init(code: .priceChanged, blocking: false,
                                       message: "the price changed since this line was added.",
                                       previousUnitPrice: line.unitPrice, currentUnitPrice: result.unit.total))
                }
            }
            reviewed.append(CartReview.Line(
                line: line, product: result.product, unit: result.product == nil ? .init(base: 0) : result.unit,
                leadTimeDays: result.leadTimeDays, shipDate: shipDate,
                unitWeightGrams: result.unitWeightGrams, stockKeys: result.stockKeys, flags: flags, errors: result.errors))
        }
        return CartReview(cart: cart, lines: reviewed, currency: currency)
    }

    /// One blocking flag per kind of problem, from the check's located errors.
    static func flags(for errors: [AtelierError.FieldError]) -> [CartReview.Flag] {
        var flags: [CartReview.Flag] = []
        func add(_ code: AtelierError.Code, _ message: String) {
            if !flags.contains(where: { $0.code == code }) { flags.append(.init(code: code, blocking: true, message: message)) }
        }
        for error in errors {
            if error.code == .productUnavailable {
                add(.productUnavailable, "this product is no longer offered.")
            } else if error.code == .soldOut {
                add(.soldOut, "this variant is sold out.")
            } else if error.pointer.hasPrefix("/selection") {
                add(.variantUnavailable, "this variant is no longer offered.")
            } else if error.pointer.hasPrefix("/options") {
                add(.optionUnavailable, "an add-on of this line is no longer offered.")
            } else {
                add(.customizationInvalid, "the customization is no longer valid; edit it again.")
            }
        }
        return flags
    }

    /// What a shipping method would cost for a reviewed cart, or nil when it does not ship there.
    public struct ShippingOption: Sendable {
        public var method: ShippingMethod
        public var amount: Int64
    }

    /// The full breakdown for a destination. `methodCode` nil picks the first method (by position)
    /// that ships there.
    public func quote(_ review: CartReview, destination: Destination, methodCode: String?, on db: any SQLDatabase) async throws
        -> (quote: PricingEngine.Quote, options: [ShippingOption])
    {
        guard !review.lines.isEmpty else {
            throw AtelierError(.unprocessable, code: .cartEmpty, title: "The cart is empty", detail: "Add an item before asking for a quote.")
        }
        let methods = try await ShippingMethodStore().all(on: db).filter(\.active)
        let rates = try await TaxRateStore().rates(for: destination, on: db)
        let lines = review.engineLines
        let basket = PricingEngine.Basket(lines)
        let options = methods.compactMap { method in
            PricingEngine.shippingAmount(method, to: destination, basket).map { ShippingOption(method: method, amount: $0.charge) }
        }
        let method: ShippingMethod?
        if let methodCode {
            guard let chosen = methods.first(where: { $0.code == methodCode }) else {
                throw AtelierError(.unprocessable, code: .unknownShippingMethod, title: "Unknown shipping method",
                                   detail: "There is no active shipping method '\(methodCode)'.",
                                   errors: [.init(pointer: "/shippingMethod", code: .unknownShippingMethod,
                                                  message: "choose one of: \(methods.map(\.code).joined(separator: ", ")).")])
            }
            method = chosen
        } else {
            guard let first = options.first else {
                throw AtelierError(.unprocessable, code: .shippingUnavailable, title: "No shipping to this destination",
                                   detail: "No shipping method ships this cart to \(destination.description).")
            }
            method = first.method
        }
        let quote = try PricingEngine.quote(lines: lines, currency: currency, taxMode: taxMode, destination: destination,
                                            shipping: method, taxRates: rates)
        return (quote, options)
    }
}
