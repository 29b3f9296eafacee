import Atelier
import AtelierAPI
import Crypto
import Foundation
import OpenAPIRuntime
import NIOCore
import SQLKit

extension APIHandlers {
    var checkoutService: CheckoutService {
        // No memo: a checkout reads the catalog as it is in the database, never from this node's memory.
        CheckoutService(
            carts: carts,
            pricing: CartPricing(currency: configuration.shopCurrency, taxMode: configuration.taxMode, calendar: configuration.shipDates,
                                 memo: nil, clock: clock),
            cipher: cipher, providers: configuration.paymentProviders, lifetime: configuration.checkoutTTL, clock: clock)
    }

    static let idempotencyScope = "checkout"

    func startCheckout(_ input: Operations.StartCheckout.Input) async throws -> Operations.StartCheckout.Output {
        guard case .json(let body) = input.body else { throw AtelierError.badRequest("Send a JSON body.") }
        let key = try IdempotencyStore.check(key: input.headers.idempotencyKey)
        let contact = body.contact, address = body.shippingAddress
        let request = CheckoutRequest(
            customer: CustomerDetails(email: contact.email, name: contact.name, phone: contact.phone, shippingAddress: .init(
                name: address.name, line1: address.line1, line2: address.line2, city: address.city, region: address.region,
                postalCode: address.postalCode, country: address.country)),
            shippingMethod: body.shippingMethod, provider: PaymentProviderKind(rawValue: body.payment.provider.rawValue) ?? .test,
            expectedTotal: body.expectedTotal)
        let cartKey = RequestScope.current?.sessionKey
        // The same key with another body or another cart is a different request.
        let requestHash = SHA256.hash(data: try Self.canonical.encode(request) + Data((cartKey ?? "").utf8))
            .map { String(format: "%02x", $0) }.joined()
        let (service, idempotency) = (checkoutService, IdempotencyStore(clock: clock))
        let json: String
        do {
            json = try await database.transaction { db -> String in
                switch try await idempotency.claim(scope: Self.idempotencyScope, key: key, requestHash: requestHash, on: db) {
                case .replay(_, let body):
                    return body
                case .new:
                    let (checkout, token) = try await service.start(cartKey: cartKey, request, on: db)
                    let answer = Components.Schemas.CheckoutStarted(checkout: checkoutView(checkout, order: nil), accessToken: token)
                    let json = String(decoding: try Self.canonical.encode(answer), as: UTF8.self)
                    try await idempotency.complete(scope: Self.idempotencyScope, key: key, status: 201, body: json, on: db)
                    return json
                }
            }
        } catch let changed as TotalChanged {
            let quote = Components.Schemas.Quote(changed.quote, review: changed.review, options: [])
            throw AtelierError(.conflict, code: "total_changed", title: "The total changed",
                               detail: "The total is now \(changed.quote.total) (you expected \(changed.expected)); the new quote is attached.",
                               members: ["quote": String(decoding: try Self.canonical.encode(quote), as: UTF8.self)])
        }
        let answer = try Self.canonicalDecoder.decode(Components.Schemas.CheckoutStarted.self, from: Data(json.utf8))
        return .created(.init(body: .json(answer)))
    }

    func getCheckout(_ input: Operations.GetCheckout.Input) async throws -> Operations.GetCheckout.Output {
        let (id, token) = (input.path.checkoutId, input.headers.xAccessToken ?? input.query.token)
        let view = try await database.withConnection { db -> Components.Schemas.CheckoutView in
            guard let checkout = try await CheckoutStore().find(id: id, accessToken: token, on: db) else {
                throw AtelierError.notFound("Checkout '\(id)'")
            }
            let order = try await checkout.orderId.asyncMap { try await OrderStore(clock: clock).find(id: $0, on: db) } ?? nil
            return checkoutView(checkout, order: order)
        }
        return .ok(.init(body: .json(view)))
    }

    func completeTestPayment(_ input: Operations.CompleteTestPayment.Input) async throws -> Operations.CompleteTestPayment.Output {
        guard case .json(let body) = input.body else { throw AtelierError.badRequest("Send a JSON body.") }
        let (id, token) = (input.path.checkoutId, input.headers.xAccessToken ?? input.query.token)
        guard configuration.paymentProviders.contains(.test) else { throw AtelierError.notFound("Checkout '\(id)'") }
        let processor = PaymentProcessor(clock: clock)
        let now = clock.now
        let (outcome, view) = try await database.transaction { db -> (PaymentOutcome, Components.Schemas.CheckoutView) in
            guard let checkout = try await CheckoutStore().find(id: id, accessToken: token, on: db), checkout.provider == .test else {
                throw AtelierError.notFound("Checkout '\(id)'")
            }
            let event = PaymentEvent(
                provider: .test, eventId: Identifier.make(prefix: "tpe", at: now), kind: body.outcome == .failed ? .failed : .succeeded,
                checkoutId: checkout.id, providerRef: "test_" + checkout.id, amount: checkout.total, currency: checkout.currency,
                payload: #"{"provider":"test"}"#)
            let (outcome, _) = try await processor.apply(event, on: db)
            guard let after = try await CheckoutStore().find(id: checkout.id, on: db) else { throw AtelierError.internalError }
            let order = try await after.orderId.asyncMap { try await OrderStore(clock: clock).find(id: $0, on: db) } ?? nil
            return (outcome, checkoutView(after, order: order))
        }
        return .ok(.init(body: .json(.init(outcome: outcome.rawValue, checkout: view))))
    }

    func getOrder(_ input: Operations.GetOrder.Input) async throws -> Operations.GetOrder.Output {
        let (id, token) = (input.path.orderId, input.headers.xAccessToken ?? input.query.token)
        let store = OrderStore(clock: clock)
        guard let order = try await database.withConnection({ db in try await store.find(id: id, accessToken: token, on: db) }) else {
            throw AtelierError.notFound("Order '\(id)'")
        }
        return .ok(.init(body: .json(.init(order))))
    }

    func listOrders(_ input: Operations.ListOrders.Input) async throws -> Operations.ListOrders.Output {
        let query = input.query
        var problems = ValidationErrors()
        if let product = query.product, !(1...80).contains(product.count) { problems.add("/product", "too_long", "must be 1–80 characters.") }
        if let email = query.email, !(1...254).contains(email.count) { problems.add("/email", "too_long", "must be 1–254 characters.") }
        try problems.check()
        let page = try PageRequest(limit: query.limit, cursor: query.cursor)
        let filter = OrderStore.ListFilter(
            status: query.status.flatMap { OrderStatus(rawValue: $0.rawValue) }, from: query.from, to: query.to,
            productId: query.product, emailHash: query.email.map(cipher.lookupHash(email:)))
        let store = OrderStore(clock: clock)
        let result = try await database.withConnection { db in try await store.list(filter, page: page, on: db) }
        return .ok(.init(body: .json(.init(
            items: result.items.map {
                .init(id: $0.id, number: $0.number, status: .init(rawValue: $0.status.rawValue)!, total: .init(amount: $0.total, currency: $0.currency),
                      createdAt: $0.createdAt)
            },
            nextCursor: result.nextCursor))))
    }

    func getAdminOrder(_ input: Operations.GetAdminOrder.Input) async throws -> Operations.GetAdminOrder.Output {
        let id = input.path.orderId
        let answer = try await database.withConnection { db -> Components.Schemas.AdminOrder in
            guard let order = try await OrderStore(clock: clock).find(id: id, on: db) else { throw AtelierError.notFound("Order '\(id)'") }
            return try await adminOrder(order, on: db)
        }
        return .ok(.init(body: .json(answer)))
    }

    func transitionOrder(_ input: Operations.TransitionOrder.Input) async throws -> Operations.TransitionOrder.Output {
        guard case .json(let body) = input.body else { throw AtelierError.badRequest("Send a JSON body.") }
        let key = try caller()
        let request = OrderTransitionRequest(
            to: OrderStatus(rawValue: body.to.rawValue) ?? .paid, reason: body.reason,
            tracking: body.tracking.map { Tracking(carrier: $0.carrier, number: $0.number, url: $0.url) }, deliveredAt: body.deliveredAt)
        if let tracking = request.tracking {
            var problems = ValidationErrors()
            CustomerDetails.checkText(tracking.carrier, at: "/tracking/carrier", max: 100, into: &problems)
            CustomerDetails.checkText(tracking.number, at: "/tracking/number", max: 100, into: &problems)
            if let url = tracking.url, !(url.hasPrefix("https://") || url.hasPrefix("http://")) || url.contains(where: \.isWhitespace) {
                problems.add("/tracking/url", "invalid_url", "must be an http(s) URL without spaces.")
            }
            try problems.check()
        }
        if let reason = request.reason, reason.containsNUL || reason.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\n" }) {
            throw AtelierError.validation([.init(pointer: "/reason", code: "invalid_characters", message: "must not contain control characters.")])
        }
        let id = input.path.orderId
        let store = OrderStore(clock: clock)
        let answer = try await database.transaction { db -> Components.Schemas.AdminOrder in
            let order = try await store.transition(id: id, request, actor: Actor(.apiKey, key.id), refund: Self.refund, on: db)
            return try await adminOrder(order, on: db)
        }
        return .ok(.init(body: .json(answer)))
    }

    func receiveStripeWebhook(_ input: Operations.ReceiveStripeWebhook.Input) async throws -> Operations.ReceiveStripeWebhook.Output {
        guard !configuration.stripeWebhookSecrets.isEmpty else {
            throw AtelierError(.notFound, code: "provider_not_configured", title: "Not configured",
                               detail: "Stripe webhooks are not configured on this server (ATELIER_STRIPE_WEBHOOK_SECRETS).")
        }
        let raw = RequestScope.current?.rawBody ?? ByteBuffer()
        let verifier = StripeWebhookVerifier(secrets: configuration.stripeWebhookSecrets)
        try verifier.verify(payload: raw.readableBytesView, header: input.headers.stripeSignature, now: clock.now)
        guard let event = try StripeWebhookVerifier.paymentEvent(from: Data(raw.readableBytesView)) else {
            return .ok(.init(body: .json(.init(received: true, outcome: "ignored"))))
        }
        let processor = PaymentProcessor(clock: clock)
        let (outcome, _) = try await database.transaction { db in try await processor.apply(event, on: db) }
        RequestScope.current?.logger.info("payment event", metadata: [
            "provider": "stripe", "event_id": .string(event.eventId), "outcome": .string(outcome.rawValue),
        ])
        return .ok(.init(body: .json(.init(received: true, outcome: outcome.rawValue))))
    }

    /// Gives back what is left of an order's payment through its provider.
    @Sendable static func refund(_ order: Order) async throws -> Int64 {
        switch order.provider {
        case .test:
            // The built-in provider holds no money: the refund is immediate and complete.
            return order.total - order.refunded
        case .stripe, .paypal:
            throw AtelierError(.conflict, code: "refund_unavailable", title: "Refund not available",
                               detail: "Refunds through \(order.provider.rawValue) are not available yet; refund in the provider's dashboard first.")
        }
    }

    // MARK: mapping

    static let canonical: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    static let canonicalDecoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    func checkoutView(_ checkout: Checkout, order: Order?) -> Components.Schemas.CheckoutView {
        let snapshot = checkout.snapshot
        func money(_ amount: Int64) -> Components.Schemas.MoneyTotal { .init(amount: amount, currency: snapshot.currency) }
        return Components.Schemas.CheckoutView(
            id: checkout.id, status: .init(rawValue: checkout.status.rawValue)!, orderId: order?.id, orderNumber: order?.number,
            total: money(snapshot.total), subtotal: money(snapshot.subtotal), shipping: money(snapshot.shipping), tax: money(snapshot.tax),
            expectedShipDate: snapshot.expectedShipDate, expiresAt: checkout.expiresAt,
            payment: .init(provider: .init(rawValue: checkout.provider.rawValue)!, clientSecret: checkout.clientSecret,
                           approvalUrl: checkout.approvalURL,
                           testPaymentUrl: checkout.provider == .test ? "/checkout/\(checkout.id)/test-payment" : nil),
            lines: snapshot.lines.map { .init($0, currency: snapshot.currency) })
    }

    func adminOrder(_ order: Order, on db: any SQLDatabase) async throws -> Components.Schemas.AdminOrder {
        let customer = try cipher.open(json: order.sealedCustomer, as: CustomerDetails.self)
        let address = customer.shippingAddress
        let audit = try await OrderStore(clock: clock).transitions(orderId: order.id, on: db)
        let currency = order.currency
        func money(_ amount: Int64) -> Components.Schemas.MoneyTotal { .init(amount: amount, currency: currency) }
        return Components.Schemas.AdminOrder(
            order: .init(order),
            customer: .init(email: customer.email, name: customer.name, phone: customer.phone, shippingAddress: .init(
                name: address.name, line1: address.line1, line2: address.line2, city: address.city, region: address.region,
                postalCode: address.postalCode, country: address.country)),
            payment: .init(provider: order.provider.rawValue, reference: order.paymentRef),
            shippingMethod: order.snapshot.shippingMethod,
            taxLines: order.snapshot.taxLines.map {
                .init(rateId: $0.rateId, name: $0.name, ratePpm: $0.ratePpm, onGoods: $0.onGoods, onShipping: $0.onShipping, currency: currency)
            },
            audit: audit.map {
                .init(at: $0.at, actorKind: .init(rawValue: $0.actor.kind.rawValue)!, actorId: $0.actor.id,
                      from: $0.from.flatMap { .init(rawValue: $0.rawValue) }, to: .init(rawValue: $0.to.rawValue)!, reason: $0.reason,
                      details: .init(additionalProperties: $0.details))
            })
    }
}

extension Components.Schemas.OrderLine {
    init(_ line: CheckoutSnapshot.Line, currency: String) {
        func money(_ amount: Int64) -> Components.Schemas.MoneyTotal { .init(amount: amount, currency: currency) }
        self.init(
            productId: line.productId, productSlug: line.productSlug, productName: line.productName, sku: line.sku,
            templateVersion: line.templateVersion, selection: .init(additionalProperties: line.state.selection),
            options: .init(additionalProperties: line.state.options),
            zones: .init(additionalProperties: line.state.zones.mapValues(Components.Schemas.ZoneValue.init)),
            previewUrl: line.previewAssetId.map { "/assets/\($0)" }, quantity: line.quantity,
            unitPrice: .init(line.unit, currency: currency),
            lineTotal: money(line.amount), leadTimeDays: line.leadTimeDays, expectedShipDate: line.shipDate)
    }
}

extension Components.Schemas.OrderView {
    init(_ order: Order) {
        func money(_ amount: Int64) -> Components.Schemas.MoneyTotal { .init(amount: amount, currency: order.currency) }
        self.init(
            id: order.id, number: order.number, status: .init(rawValue: order.status.rawValue)!,
            lines: order.snapshot.lines.map { .init($0, currency: order.currency) },
            subtotal: money(order.subtotal), shipping: money(order.shipping), tax: money(order.tax), total: money(order.total),
            refunded: order.refunded > 0 ? money(order.refunded) : nil,
            tracking: order.tracking.map { .init(carrier: $0.carrier, number: $0.number, url: $0.url) },
            expectedShipDate: order.expectedShipDate, paidAt: order.paidAt, deliveredAt: order.deliveredAt,
            createdAt: order.createdAt, updatedAt: order.updatedAt)
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
