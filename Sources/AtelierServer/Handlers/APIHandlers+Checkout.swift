import Atelier
import AtelierAPI
import Crypto
import Foundation
import Logging
import OpenAPIRuntime
import NIOCore

extension APIHandlers {
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
        let requestHash = Hex.string(SHA256.hash(data: try Self.canonical.encode(request) + Data((cartKey ?? "").utf8)))
        let (service, idempotency) = (services.checkoutService, services.idempotency)
        var answer: Components.Schemas.CheckoutStarted
        do {
            // A replay answers the kept text; a new checkout its own answer, kept for replays in the same transaction.
            let (kept, started) = try await database.transaction { db -> (String?, Components.Schemas.CheckoutStarted?) in
                switch try await idempotency.claim(scope: Self.idempotencyScope, key: key, requestHash: requestHash, on: db) {
                case .replay(_, let body):
                    return (body, nil)
                case .new:
                    let (checkout, token) = try await service.start(cartKey: cartKey, request, on: db)
                    let answer = Components.Schemas.CheckoutStarted(checkout: checkoutView(checkout, order: nil), accessToken: token)
                    let json = String(decoding: try Self.canonical.encode(answer), as: UTF8.self)
                    try await idempotency.complete(scope: Self.idempotencyScope, key: key, status: 201, body: json, subject: checkout.id, on: db)
                    return (nil, answer)
                }
            }
            answer = try started ?? Self.canonicalDecoder.decode(Components.Schemas.CheckoutStarted.self, from: Data((kept ?? "").utf8))
        } catch let changed as TotalChanged {
            let quote = Components.Schemas.Quote(changed.quote, review: changed.review, options: [])
            throw AtelierError(.conflict, code: .totalChanged, title: "The total changed",
                               detail: "The total is now \(changed.quote.total) (you expected \(changed.expected)); the new quote is attached.",
                               members: ["quote": String(decoding: try Self.canonical.encode(quote), as: UTF8.self)])
        }
        if answer.checkout.payment.reference == nil, answer.checkout.status == .pending {
            answer = try await createProviderPayment(answer, idempotencyKey: key)
        }
        return .created(.init(body: .json(answer)))
    }

    /// Creates the checkout's payment at its provider after the checkout committed, and keeps the completed
    /// answer for replays. A retry with the same Idempotency-Key comes back here until the payment exists.
    func createProviderPayment(_ answer: Components.Schemas.CheckoutStarted, idempotencyKey key: String) async throws
        -> Components.Schemas.CheckoutStarted {
        let (id, checkouts) = (answer.checkout.id, services.checkouts)
        guard let checkout = try await database.withConnection({ db in try await checkouts.find(id: id, on: db) }) else {
            throw AtelierError.internalError
        }
        let ready: Checkout
        do {
            ready = try await services.checkoutPayments.ensurePayment(checkout)
        } catch let error as AtelierError where error.code == .paymentProviderError {
            // The provider refused: the checkout was cancelled and its stock released. Forget the key, as for
            // every failed request, so the shopper may try again.
            let releases = services.idempotencyReleases
            try await database.withConnection { db in
                try await releases.release(scope: Self.idempotencyScope, key: key, on: db)
            }
            throw error
        }
        var completed = answer
        completed.checkout = checkoutView(ready, order: nil)
        let json = String(decoding: try Self.canonical.encode(completed), as: UTF8.self)
        let idempotency = services.idempotency
        try await database.withConnection { db in
            try await idempotency.complete(scope: Self.idempotencyScope, key: key, status: 201, body: json, subject: ready.id, on: db)
        }
        return completed
    }

    func cancelCheckout(_ input: Operations.CancelCheckout.Input) async throws -> Operations.CancelCheckout.Output {
        let (id, token) = (input.path.checkoutId, input.headers.xAccessToken ?? input.query.token)
        let (cancellation, checkouts) = (services.cancellation, services.checkouts)
        let view = try await database.transaction { db -> Components.Schemas.CheckoutView in
            guard let checkout = try await checkouts.find(id: id, accessToken: token, on: db),
                  let cancelled = try await cancellation.cancel(checkoutId: checkout.id, reason: "shopper", by: Actor(.shopper), on: db)
            else { throw AtelierError.notFound("Checkout '\(id)'") }
            return checkoutView(cancelled, order: nil)
        }
        return .ok(.init(body: .json(view)))
    }

    func getCheckout(_ input: Operations.GetCheckout.Input) async throws -> Operations.GetCheckout.Output {
        let (id, token) = (input.path.checkoutId, input.headers.xAccessToken ?? input.query.token)
        let (checkouts, orders) = (services.checkouts, services.orders)
        let (checkout, order) = try await database.withConnection { db -> (Checkout, Order?) in
            guard let checkout = try await checkouts.find(id: id, accessToken: token, on: db) else {
                throw AtelierError.notFound("Checkout '\(id)'")
            }
            return (checkout, try await checkout.orderId.asyncMap { try await orders.find(id: $0, on: db) } ?? nil)
        }
        guard checkout.awaitsProviderPayment else {
            // Its webhook may be late or lost: a pending payment is looked up at the provider (briefly, every few seconds at most).
            let checked = try await checkedWithProvider(checkout)
            return .ok(.init(body: .json(checkoutView(checked?.checkout ?? checkout, order: checked?.order ?? order))))
        }
        // The provider payment was not created yet (the first answer was lost): create it now. Reading a checkout
        // never fails because of the provider: away, the checkout is answered as it is; refusing, as it is now
        // (cancelled). Database errors are errors.
        do {
            return .ok(.init(body: .json(checkoutView(try await services.checkoutPayments.ensurePayment(checkout), order: nil))))
        } catch let error as AtelierError where error.kind == .badGateway || error.code == .providerUnavailable {
            let now = try await database.withConnection { db in try await checkouts.find(id: id, on: db) } ?? checkout
            return .ok(.init(body: .json(checkoutView(now, order: nil))))
        }
    }

    func completeTestPayment(_ input: Operations.CompleteTestPayment.Input) async throws -> Operations.CompleteTestPayment.Output {
        guard case .json(let body) = input.body else { throw AtelierError.badRequest("Send a JSON body.") }
        let (id, token) = (input.path.checkoutId, input.headers.xAccessToken ?? input.query.token)
        guard configuration.commerce.paymentProviders.contains(.test),
              let applied = try await services.checkoutPayments.reportTestPayment(checkoutId: id, accessToken: token,
                                                                                  failed: body.outcome == .failed, logger: paymentLogger),
              let checkout = applied.checkout
        else { throw AtelierError.notFound("Checkout '\(id)'") }
        return .ok(.init(body: .json(.init(outcome: applied.outcome.rawValue, checkout: checkoutView(checkout, order: applied.order)))))
    }

    func getOrder(_ input: Operations.GetOrder.Input) async throws -> Operations.GetOrder.Output {
        let (id, token) = (input.path.orderId, input.headers.xAccessToken ?? input.query.token)
        let store = services.orders
        let found = try await database.withConnection { db -> (Order, [OrderTransition])? in
            guard let order = try await store.find(id: id, accessToken: token, on: db) else { return nil }
            return (order, try await store.transitions(orderId: order.id, on: db))
        }
        guard let found else { throw AtelierError.notFound("Order '\(id)'") }
        let (order, trail) = found
        return .ok(.init(body: .json(.init(order, timeline: OrderTimeline(transitions: trail, tracking: order.tracking)))))
    }

    func listOrders(_ input: Operations.ListOrders.Input) async throws -> Operations.ListOrders.Output {
        let query = input.query
        var problems = ValidationErrors()
        if let product = query.product, !(1...80).contains(product.count) { problems.add("/product", .tooLong, "must be 1–80 characters.") }
        if let email = query.email, !(1...254).contains(email.count) { problems.add("/email", .tooLong, "must be 1–254 characters.") }
        try problems.check()
        let page = try PageRequest(limit: query.limit, cursor: query.cursor)
        let filter = OrderStore.ListFilter(
            status: query.status.flatMap { OrderStatus(rawValue: $0.rawValue) }, from: query.from, to: query.to,
            productId: query.product, emailHash: query.email.map(cipher.lookupHash(email:)))
        let store = services.orders
        let result = try await database.withConnection { db in try await store.list(filter, page: page, on: db) }
        return .ok(.init(body: .json(.init(
            items: result.items.map {
                .init(id: $0.id, number: $0.number, status: .init(rawValue: $0.status.rawValue)!, total: .init(amount: $0.total, currency: $0.currency),
                      createdAt: $0.createdAt)
            },
            nextCursor: result.nextCursor))))
    }

    func listPaymentEvents(_ input: Operations.ListPaymentEvents.Input) async throws -> Operations.ListPaymentEvents.Output {
        let query = input.query
        if let checkout = query.checkout, !(1...80).contains(checkout.count) {
            throw AtelierError.validation([.init(pointer: "/checkout", code: .tooLong, message: "must be 1–80 characters.")])
        }
        let page = try PageRequest(limit: query.limit, cursor: query.cursor)
        let filter = PaymentEventStore.Filter(outcome: query.outcome?.rawValue, checkoutId: query.checkout)
        let events = services.paymentEvents
        let result = try await database.withConnection { db in try await events.list(filter, page: page, on: db) }
        return .ok(.init(body: .json(.init(
            items: result.items.map {
                .init(provider: $0.provider, eventId: $0.eventId, _type: $0.type, checkoutId: $0.checkoutId, amount: $0.amount,
                      currency: $0.currency, outcome: $0.outcome, resolution: $0.resolution, receivedAt: $0.receivedAt)
            },
            nextCursor: result.nextCursor))))
    }

    func getAdminOrder(_ input: Operations.GetAdminOrder.Input) async throws -> Operations.GetAdminOrder.Output {
        let (id, orders) = (input.path.orderId, services.orders)
        let answer = try await database.withConnection { db -> Components.Schemas.AdminOrder in
            guard let order = try await orders.find(id: id, on: db) else { throw AtelierError.notFound("Order '\(id)'") }
            return try await adminOrder(order, on: db)
        }
        return .ok(.init(body: .json(answer)))
    }

    func transitionOrder(_ input: Operations.TransitionOrder.Input) async throws -> Operations.TransitionOrder.Output {
        guard case .json(let body) = input.body else { throw AtelierError.badRequest("Send a JSON body.") }
        let key = try caller()
        let request = OrderTransitionRequest(
            to: OrderStatus(rawValue: body.to.rawValue) ?? .paid, reason: body.reason,
            tracking: body.tracking.map { Tracking(carrier: $0.carrier, number: $0.number, url: $0.url) }, deliveredAt: body.deliveredAt,
            refundedOutside: body.refund?.outside == true)
        try request.validate()
        let id = input.path.orderId
        let (store, refunds) = (services.orders, services.refunds)
        let answer = try await database.transaction { db -> Components.Schemas.AdminOrder in
            let order = try await store.transition(id: id, request, actor: Actor(.apiKey, key.id), refunds: refunds, on: db)
            return try await adminOrder(order, on: db)
        }
        return .ok(.init(body: .json(answer)))
    }

    func receiveStripeWebhook(_ input: Operations.ReceiveStripeWebhook.Input) async throws -> Operations.ReceiveStripeWebhook.Output {
        guard !configuration.commerce.stripeWebhookSecrets.isEmpty else {
            throw AtelierError(.notFound, code: .providerNotConfigured, title: "Not configured",
                               detail: "Stripe webhooks are not configured on this server (ATELIER_STRIPE_WEBHOOK_SECRETS).")
        }
        let raw = RequestScope.current?.rawBody ?? ByteBuffer()
        let verifier = StripeWebhookVerifier(secrets: configuration.commerce.stripeWebhookSecrets)
        try verifier.verify(payload: raw.readableBytesView, header: input.headers.stripeSignature, now: clock.now)
        guard let event = try StripeWebhookVerifier.paymentEvent(from: Data(raw.readableBytesView)) else {
            return .ok(.init(body: .json(.init(received: true, outcome: "ignored"))))
        }
        let outcome = try await applyProviderEvent(event)
        return .ok(.init(body: .json(.init(received: true, outcome: outcome.rawValue))))
    }

    /// Applies a verified provider event; money that cannot make an order goes back through the provider (the
    /// refund is decided with the event, and made by its job).
    func applyProviderEvent(_ event: PaymentEvent) async throws -> PaymentOutcome {
        try await services.checkoutPayments.apply(event, logger: paymentLogger)
    }

    var paymentLogger: Logger { RequestScope.current?.logger ?? Logger(label: "atelier.payments") }

    func receivePayPalWebhook(_ input: Operations.ReceivePayPalWebhook.Input) async throws -> Operations.ReceivePayPalWebhook.Output {
        guard services.gateways.paypal != nil, let verifier = services.gateways.paypalWebhooks else {
            throw AtelierError(.notFound, code: .providerNotConfigured, title: "Not configured",
                               detail: "PayPal is not configured on this server (ATELIER_PAYPAL_CLIENT_ID).")
        }
        let raw = Array((RequestScope.current?.rawBody ?? ByteBuffer()).readableBytesView)
        let headers = input.headers
        // Refuses what can be refused without PayPal, and asks PayPal once per transmission. A 502 (PayPal
        // away) makes PayPal deliver again later.
        try await verifier.verify(
            .init(transmissionId: headers.paypalTransmissionId, transmissionTime: headers.paypalTransmissionTime,
                  transmissionSig: headers.paypalTransmissionSig, certURL: headers.paypalCertUrl, authAlgorithm: headers.paypalAuthAlgo),
            rawBody: raw, now: clock.now)
        let (eventId, _, action) = try PayPalWebhooks.action(from: raw)
        let outcome: PaymentOutcome
        switch action {
        case .ignore:
            outcome = .ignored
        case .payment(let event):
            outcome = try await applyProviderEvent(event)
        case .capture(let orderId, _):
            outcome = try await services.checkoutPayments.captureApprovedPayPalOrder(
                orderId, approval: eventId, payload: String(decoding: raw, as: UTF8.self), logger: paymentLogger)
        }
        return .ok(.init(body: .json(.init(received: true, outcome: outcome.rawValue))))
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
}
