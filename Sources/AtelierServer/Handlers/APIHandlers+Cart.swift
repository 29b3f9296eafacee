import Atelier
import AtelierAPI
import Foundation
import OpenAPIRuntime

extension APIHandlers {
    /// The key the edge read from `X-Session-Key` or the `atelier_session` cookie.
    private var sessionKey: String? { RequestScope.current?.sessionKey }

    func getCart(_ input: Operations.GetCart.Input) async throws -> Operations.GetCart.Output {
        let (carts, pricing, key) = (services.carts, services.cartPricing, sessionKey)
        let answer = try await database.withConnection { db -> Components.Schemas.Cart in
            guard let cart = try await carts.find(key: key, on: db) else { return emptyCart() }
            try await carts.touch(cart, on: db)
            return describe(try await pricing.review(cart, on: db))
        }
        return .ok(.init(body: .json(answer)))
    }

    func clearCart(_ input: Operations.ClearCart.Input) async throws -> Operations.ClearCart.Output {
        let (carts, pricing, key) = (services.carts, services.cartPricing, sessionKey)
        let answer = try await database.transaction { db -> Components.Schemas.Cart in
            guard let cart = try await carts.find(key: key, on: db) else { return emptyCart() }
            try await carts.clear(cart.id, on: db)
            return try await reviewed(key: key, on: db, carts: carts, pricing: pricing)
        }
        return .ok(.init(body: .json(answer)))
    }

    func addCartItem(_ input: Operations.AddCartItem.Input) async throws -> Operations.AddCartItem.Output {
        guard case .json(let body) = input.body else { throw AtelierError.badRequest("Send a JSON body.") }
        let quantity = body.quantity ?? 1
        let item: CartAddition.Item
        switch (body.sessionId, body.product) {
        case (.some(let sessionId), nil):
            if body.selection != nil || body.options != nil {
                throw AtelierError.validation([.init(pointer: "/selection", code: .notAllowed,
                                                     message: "a session carries its own choices; send only sessionId and quantity.")])
            }
            item = .session(sessionId)
        case (nil, .some(let product)):
            let (selection, options) = (body.selection?.additionalProperties ?? [:], body.options?.additionalProperties ?? [:])
            try InputShape.check(selection: selection, options: options)
            item = .product(product, CustomizationState(selection: selection, options: options))
        default:
            throw AtelierError.validation([.init(pointer: "", code: .sessionOrProduct,
                                                 message: "send either sessionId or product, not both and not neither.")])
        }
        let (addition, pricing, key) = (services.cartAddition, services.cartPricing, sessionKey)
        let (answer, merged, newKey) = try await database.transaction { db in
            let added = try await addition.add(item, quantity: quantity, cartKey: key, on: db)
            return (describe(try await pricing.review(added.cart, on: db)), added.merged, added.newKey)
        }
        return merged
            ? .ok(.init(headers: .init(xSessionKey: newKey), body: .json(answer)))
            : .created(.init(headers: .init(xSessionKey: newKey), body: .json(answer)))
    }

    func updateCartItem(_ input: Operations.UpdateCartItem.Input) async throws -> Operations.UpdateCartItem.Output {
        guard case .json(let body) = input.body else { throw AtelierError.badRequest("Send a JSON body.") }
        let (carts, pricing, key, lineId) = (services.carts, services.cartPricing, sessionKey, input.path.lineId)
        let answer = try await database.transaction { db -> Components.Schemas.Cart in
            guard let cart = try await carts.find(key: key, on: db), cart.lines.contains(where: { $0.id == lineId }) else {
                throw AtelierError.notFound("Cart line '\(lineId)'")
            }
            let review = try await pricing.review(cart, on: db)
            let current = review.lines.first { $0.line.id == lineId }.flatMap { $0.product == nil ? nil : $0.unit.total }
            try await carts.setQuantity(body.quantity, lineId: lineId, currentUnitPrice: current, in: cart.id, on: db)
            return try await reviewed(key: key, on: db, carts: carts, pricing: pricing)
        }
        return .ok(.init(body: .json(answer)))
    }

    func removeCartItem(_ input: Operations.RemoveCartItem.Input) async throws -> Operations.RemoveCartItem.Output {
        let (carts, pricing, key, lineId) = (services.carts, services.cartPricing, sessionKey, input.path.lineId)
        let answer = try await database.transaction { db -> Components.Schemas.Cart in
            guard let cart = try await carts.find(key: key, on: db) else { throw AtelierError.notFound("Cart line '\(lineId)'") }
            try await carts.remove(lineId: lineId, from: cart.id, on: db)
            return try await reviewed(key: key, on: db, carts: carts, pricing: pricing)
        }
        return .ok(.init(body: .json(answer)))
    }

    func quoteCart(_ input: Operations.QuoteCart.Input) async throws -> Operations.QuoteCart.Output {
        guard case .json(let body) = input.body else { throw AtelierError.badRequest("Send a JSON body.") }
        let destination = try Destination.parse(country: body.destination.country, region: body.destination.region)
        let (carts, pricing, key) = (services.carts, services.cartPricing, sessionKey)
        let answer = try await database.withConnection { db -> Components.Schemas.Quote in
            guard let cart = try await carts.find(key: key, on: db), !cart.lines.isEmpty else {
                throw AtelierError(.unprocessable, code: .cartEmpty, title: "The cart is empty",
                                   detail: "Add an item before asking for a quote.")
            }
            let review = try await pricing.review(cart, on: db)
            let (quote, options) = try await pricing.quote(review, destination: destination, methodCode: body.shippingMethod, on: db)
            return Components.Schemas.Quote(quote, review: review, options: options)
        }
        return .ok(.init(body: .json(answer)))
    }

    /// The cart a key opens, reviewed and described; the empty answer when there is none.
    private func reviewed(key: String?, on db: DatabaseConnection, carts: CartStore, pricing: CartPricing) async throws -> Components.Schemas.Cart {
        guard let cart = try await carts.find(key: key, on: db) else { return emptyCart() }
        return describe(try await pricing.review(cart, on: db))
    }

    private var limitsInfo: Components.Schemas.CartLimitsInfo {
        let limits = configuration.commerce.cartLimits
        return .init(maxQuantityPerLine: limits.maxQuantityPerLine, maxLines: limits.maxLines, maxUnits: limits.maxUnits)
    }

    private func emptyCart() -> Components.Schemas.Cart {
        .init(lines: [], units: 0, subtotal: .init(amount: 0, currency: configuration.catalog.shopCurrency), checkoutReady: false,
              limits: limitsInfo)
    }

    private func describe(_ review: CartReview) -> Components.Schemas.Cart {
        let currency = review.currency
        func money(_ amount: Int64) -> Components.Schemas.MoneyTotal { .init(amount: amount, currency: currency) }
        let lines = review.lines.map { entry -> Components.Schemas.CartLine in
            let line = entry.line
            return Components.Schemas.CartLine(
                id: line.id, productId: line.productId, productSlug: entry.product?.definition.slug,
                productName: entry.product?.definition.name, sku: entry.product?.definition.sku(for: line.state.selection),
                templateVersion: line.templateVersion,
                selection: .init(additionalProperties: line.state.selection),
                options: .init(additionalProperties: line.state.options),
                zones: .init(additionalProperties: line.state.zones.mapValues(Components.Schemas.ZoneValue.init)),
                sessionId: line.sessionId, previewUrl: line.previewAssetId.map { "/assets/\($0)" },
                quantity: line.quantity,
                unitPrice: .init(entry.unit, currency: currency),
                lineTotal: money(entry.amount), leadTimeDays: entry.leadTimeDays, expectedShipDate: entry.shipDate,
                flags: entry.flags.map { flag in
                    .init(code: flag.code.rawValue, blocking: flag.blocking, message: flag.message,
                          previousUnitPrice: flag.previousUnitPrice.map(money), currentUnitPrice: flag.currentUnitPrice.map(money),
                          available: flag.available)
                },
                errors: entry.errors.map { .init(pointer: $0.pointer, code: $0.code.rawValue, message: $0.message) }
            )
        }
        let subtotal = PricingEngine.Basket(review.engineLines).subtotal
        return Components.Schemas.Cart(
            id: review.cart.id, expiresAt: review.cart.expiresAt, lines: lines, units: review.cart.units, subtotal: money(subtotal),
            expectedShipDate: review.shipDate, checkoutReady: !review.lines.isEmpty && !review.blocked, limits: limitsInfo)
    }
}

extension Components.Schemas.UnitPriceBreakdown {
    init(_ unit: PricingEngine.UnitPrice, currency: String) {
        func money(_ amount: Int64) -> Components.Schemas.MoneyTotal { .init(amount: amount, currency: currency) }
        self.init(base: money(unit.base), variantAdjustments: money(unit.variantAdjustments), optionSurcharges: money(unit.optionSurcharges),
                  customizationSurcharges: money(unit.customizationSurcharges), total: money(unit.total))
    }
}

extension Components.Schemas.TaxLine {
    init(rateId: String, name: String, ratePpm: Int64, onGoods: Int64, onShipping: Int64, currency: String) {
        self.init(rateId: rateId, name: name, rate: TaxRate.percent(fromPpm: ratePpm), onGoods: .init(amount: onGoods, currency: currency),
                  onShipping: .init(amount: onShipping, currency: currency), amount: .init(amount: onGoods + onShipping, currency: currency))
    }
}

extension Components.Schemas.Quote {
    init(_ quote: PricingEngine.Quote, review: CartReview, options: [CartPricing.ShippingOption]) {
        let currency = quote.currency
        func money(_ amount: Int64) -> Components.Schemas.MoneyTotal { .init(amount: amount, currency: currency) }
        self.init(
            currency: currency, taxMode: .init(rawValue: quote.taxMode.rawValue)!,
            lines: quote.lines.map { .init(lineId: $0.id, quantity: $0.quantity, unitPrice: money($0.unit.total), lineTotal: money($0.amount)) },
            subtotal: money(quote.subtotal),
            shipping: quote.shipping.map { .init(method: $0.method, name: $0.name, amount: money($0.amount), waived: $0.waived) },
            taxLines: quote.taxLines.map {
                .init(rateId: $0.rateId, name: $0.name, ratePpm: $0.ratePpm, onGoods: $0.onGoods, onShipping: $0.onShipping, currency: currency)
            },
            taxTotal: money(quote.taxTotal), total: money(quote.total), expectedShipDate: review.shipDate,
            checkoutReady: !review.lines.isEmpty && !review.blocked,
            shippingOptions: options.map { .init(method: $0.method.code, name: $0.method.name, amount: money($0.amount)) }
        )
    }
}
