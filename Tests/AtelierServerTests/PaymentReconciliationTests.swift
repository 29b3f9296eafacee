import Atelier
@testable import AtelierServer
import AtelierTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

/// Payments whose webhook never came: found by the periodic job and by the shopper's `GET /checkout`, applied once,
/// with the late webhook changing nothing. Stripe and PayPal are a live fake on a local port (`FakeProviders`).
@Suite struct PaymentReconciliationTests {
    let endpoint = CheckoutEndpointTests()

    static func configure(_ configuration: inout AtelierConfiguration, base: String) {
        configuration.server.seedDemoCatalog = true
        configuration.commerce.paymentProviders = [.test, .stripe, .paypal]
        configuration.commerce.stripe = StripeSettings(secretKey: "sk_test_fake", apiBase: base)
        configuration.commerce.stripeWebhookSecrets = ["whsec_test123"]
        var paypal = PayPalSettings(clientId: "test-client", clientSecret: "test-secret", apiBase: base, webhookId: "WH-TEST")
        paypal.returnURL = "https://shop.example/checkout/{checkoutId}/return"
        paypal.cancelURL = "https://shop.example/checkout/{checkoutId}/cancelled"
        configuration.commerce.paypal = paypal
    }

    /// The periodic job's reconciliation, with gateways of its own to the fake and a clock `ahead` of now (a checkout
    /// younger than the grace period is left to its webhook).
    static func reconciliation(_ app: TestApp, base: String, ahead: TimeInterval = 60) -> PaymentReconciliation {
        var configuration = AtelierConfiguration()
        configure(&configuration, base: base)
        let gateways = PaymentGateways(stripe: configuration.commerce.stripe.map { StripeGateway(settings: $0) },
                                       paypal: configuration.commerce.paypal.map { PayPalGateway(settings: $0) })
        let clock = WallClock { Date().addingTimeInterval(ahead) }
        return PaymentReconciliation(payments: CheckoutPayments(database: app.database, gateways: gateways, clock: clock), clock: clock)
    }

    /// A checkout started through the API: its id, access token, total and the provider's reference for its payment.
    func start(_ app: TestApp, _ provider: String, key: String) async throws -> (id: String, token: String, total: Int64, reference: String) {
        let cart = try await endpoint.cart(app)
        let body = CheckoutEndpointTests.checkoutBody.replacingOccurrences(of: #""provider": "test""#, with: #""provider": "\#(provider)""#)
        let response = try await endpoint.checkout(app, key: cart, idempotencyKey: key, body: body)
        #expect(response.status == .created, "\(response.text)")
        let answer = try response.json()
        let view = try #require(answer["checkout"] as? [String: Any])
        let total = try #require((view["total"] as? [String: Any])?["amount"] as? Int)
        return (try #require(view["id"] as? String), try #require(answer["accessToken"] as? String), Int64(total),
                try #require((view["payment"] as? [String: Any])?["reference"] as? String))
    }

    func read(_ app: TestApp, _ id: String, token: String) async throws -> [String: Any] {
        let response = try await app.send(.get, "/checkout/\(id)?token=\(token)")
        #expect(response.status == .ok, "\(response.text)")
        return try response.json()
    }

    /// (event id, outcome) of every payment event of the checkout, by event id.
    func events(_ app: TestApp, _ id: String) async throws -> [[String]] {
        let items = try await app.send(.get, "/admin/payment-events?checkout=\(id)", token: app.adminToken).json()["items"] as? [[String: Any]]
        return (items ?? []).map { [$0["eventId"] as? String ?? "", $0["outcome"] as? String ?? ""] }.sorted { $0[0] < $1[0] }
    }

    func orders(_ app: TestApp, _ id: String) async throws -> Int? {
        try await app.database.withConnection { db in
            try await db.raw("SELECT COUNT(*) AS n FROM orders WHERE checkout_id = \(bind: id)").first(decodingColumn: "n", as: Int.self)
        }
    }

    @Test func aPaymentWhoseWebhookNeverCameBecomesOneOrderWhenTheJobRuns() async throws {
        try await FakeProviders.with { base, providers in
            try await withApp(configure: { Self.configure(&$0, base: base) }) { app in
                let checkout = try await start(app, "stripe", key: "lost-1")
                providers.pay(checkout.reference)
                let pending = try #require(try await app.database.withConnection { db in try await CheckoutStore().find(id: checkout.id, on: db) })

                // Within the grace period the webhook is given its chance: nothing is asked.
                #expect(try await Self.reconciliation(app, base: base, ahead: 0).run(logger: TestDatabase.logger).asked == 0)
                let job = Self.reconciliation(app, base: base)
                let round = try await job.run(logger: TestDatabase.logger)
                #expect(round.asked == 1 && round.applied == [.orderCreated], "\(round.summary)")
                #expect(try await orders(app, checkout.id) == 1)
                let paid = try await read(app, checkout.id, token: checkout.token)
                #expect(paid["status"] as? String == "paid" && paid["orderId"] is String)

                // Running again asks about nothing; asked directly, the recorded success answers without the provider.
                let lookups = providers.lookups
                #expect(try await job.run(logger: TestDatabase.logger).asked == 0)
                #expect(try await job.check(pending, logger: TestDatabase.logger) == .alreadyRecorded)
                #expect(providers.lookups == lookups)

                // The real webhook, late: already paid, still one order.
                let (body, signature) = CheckoutEndpointTests.stripeEvent(
                    id: "evt_late", type: "payment_intent.succeeded", intent: checkout.reference, checkoutId: checkout.id,
                    amount: checkout.total, at: Int(Date().timeIntervalSince1970))
                let late = try await app.send(.post, "/webhooks/stripe", json: body, headers: [HTTPField.Name("Stripe-Signature")!: signature])
                #expect(try late.json()["outcome"] as? String == "already_paid", "\(late.text)")
                #expect(try await events(app, checkout.id) == [
                    ["evt_late", "already_paid"], ["payment_intent:\(checkout.reference):succeeded", "order_created"],
                ])
                #expect(try await orders(app, checkout.id) == 1)
            }
        }
    }

    @Test func aProviderThatIsAwayLeavesTheCheckoutPendingAndTheJobSucceeds() async throws {
        try await FakeProviders.with { base, providers in
            try await withApp(configure: { Self.configure(&$0, base: base) }) { app in
                let checkout = try await start(app, "stripe", key: "away-1")
                providers.pay(checkout.reference)
                providers.away = true
                // The shopper's read answers the checkout as it is.
                #expect(try await read(app, checkout.id, token: checkout.token)["status"] as? String == "pending")
                // The round does not fail: the checkout waits for the next one.
                let job = Self.reconciliation(app, base: base)
                let away = try await job.run(logger: TestDatabase.logger)
                #expect(away.asked == 1 && away.applied.isEmpty && away.unavailable == 1, "\(away.summary)")
                #expect(try await orders(app, checkout.id) == 0)
                #expect(try await events(app, checkout.id).isEmpty)

                providers.away = false
                let back = try await job.run(logger: TestDatabase.logger)
                #expect(back.applied == [.orderCreated], "\(back.summary)")
                #expect(try await orders(app, checkout.id) == 1)
            }
        }
    }

    @Test func theJobIsQueuedEveryConfiguredPeriod() async throws {
        try await withApp { app in
            var configuration = AtelierConfiguration()
            configuration.server.dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("atelier-test-\(UUID().uuidString)").path
            configuration.commerce.reconcileInterval = 5
            let built = AppServices(configuration: configuration, database: app.database, clock: .system, cipher: .random(),
                                    gateways: PaymentGateways())
            let handlers = BackgroundWork.handlers(services: built)
            #expect(handlers.map(\.kind).contains(PaymentReconciliationJobs.kind))
            let services = BackgroundWork.services(services: built, logger: TestDatabase.logger, workers: 1)
            let periodic = try #require(services.compactMap { $0 as? PeriodicJobs }.first)
            #expect(periodic.schedule.contains { $0.kind == PaymentReconciliationJobs.kind && $0.period == 5 })
            #expect(periodic.tick == 5)
        }
    }

    @Test func aShopperBackFromStripeSeesThePaidCheckoutWithoutAnyWebhook() async throws {
        try await FakeProviders.with { base, providers in
            try await withApp(configure: { Self.configure(&$0, base: base) }) { app in
                // A storefront polling an unpaid checkout asks the provider once every few seconds, not at every read.
                let polled = try await start(app, "stripe", key: "poll-1")
                for _ in 0..<3 {
                    #expect(try await read(app, polled.id, token: polled.token)["status"] as? String == "pending")
                }
                #expect(providers.lookups == 1)

                let checkout = try await start(app, "stripe", key: "back-1")
                providers.pay(checkout.reference)
                let paid = try await read(app, checkout.id, token: checkout.token)
                #expect(paid["status"] as? String == "paid" && paid["orderNumber"] is String, "\(paid)")
                #expect(try await events(app, checkout.id) == [["payment_intent:\(checkout.reference):succeeded", "order_created"]])
                // Paid, it is not asked about again.
                let lookups = providers.lookups
                #expect(try await read(app, checkout.id, token: checkout.token)["orderId"] as? String == paid["orderId"] as? String)
                #expect(providers.lookups == lookups)
            }
        }
    }

    @Test func aSlowProviderDoesNotHoldTheShoppersRead() async throws {
        try await FakeProviders.with { base, providers in
            try await withApp(configure: { Self.configure(&$0, base: base) }) { app in
                let checkout = try await start(app, "stripe", key: "slow-1")
                providers.slow = true
                let started = ContinuousClock.now
                #expect(try await read(app, checkout.id, token: checkout.token)["status"] as? String == "pending")
                #expect(ContinuousClock.now - started < .seconds(5))
                providers.slow = false
            }
        }
    }

    @Test func anApprovedPayPalOrderIsCapturedOnceAndItsLateWebhooksChangeNothing() async throws {
        try await FakeProviders.with { base, providers in
            try await withApp(configure: { Self.configure(&$0, base: base) }) { app in
                let checkout = try await start(app, "paypal", key: "paypal-1")
                // The order tells PayPal where on the storefront the buyer comes back to.
                let created = try #require(providers.createdOrders.last)
                let context = ((created["payment_source"] as? [String: Any])?["paypal"] as? [String: Any])?["experience_context"] as? [String: Any]
                #expect(context?["return_url"] as? String == "https://shop.example/checkout/\(checkout.id)/return")
                #expect(context?["cancel_url"] as? String == "https://shop.example/checkout/\(checkout.id)/cancelled")

                // Approved, and no webhook: the buyer's read captures the order and shows it paid.
                providers.approve(checkout.reference)
                let paid = try await read(app, checkout.id, token: checkout.token)
                #expect(paid["status"] as? String == "paid", "\(paid)")
                #expect(providers.captureRequestIds == ["atelier-capture-\(checkout.id)"])
                let capture = try #require(providers.captureId(of: checkout.reference))
                #expect(try await events(app, checkout.id) == [["capture:\(capture):succeeded", "order_created"]])
                #expect(try await Self.reconciliation(app, base: base).run(logger: TestDatabase.logger).asked == 0)

                // The webhooks, late: the approval captures nothing more, the capture is the same event.
                let cert = base + "/_certs/fake.pem"
                let approval = #"""
                    {"id": "WH-APPROVED", "event_type": "CHECKOUT.ORDER.APPROVED",
                     "resource": {"id": "\#(checkout.reference)", "status": "APPROVED", "purchase_units": [{"custom_id": "\#(checkout.id)"}]}}
                    """#
                let approved = try await app.send(.post, "/webhooks/paypal", json: approval,
                                                  headers: PaymentProviderTests.paypalHeaders(id: "tx-approved", at: Date(), cert: cert))
                #expect(try approved.json()["outcome"] as? String == "ignored", "\(approved.text)")
                let value = CurrencyUnits.decimalString(checkout.total, currency: "USD")
                let completion = #"""
                    {"id": "WH-COMPLETED", "event_type": "PAYMENT.CAPTURE.COMPLETED",
                     "resource": {"id": "\#(capture)", "status": "COMPLETED", "amount": {"currency_code": "USD", "value": "\#(value)"},
                                  "custom_id": "\#(checkout.id)", "supplementary_data": {"related_ids": {"order_id": "\#(checkout.reference)"}}}}
                    """#
                let completed = try await app.send(.post, "/webhooks/paypal", json: completion,
                                                   headers: PaymentProviderTests.paypalHeaders(id: "tx-completed", at: Date(), cert: cert))
                #expect(try completed.json()["outcome"] as? String == "duplicate", "\(completed.text)")
                #expect(providers.captureRequestIds.count == 1)
                #expect(try await orders(app, checkout.id) == 1)
            }
        }
    }

    @Test func anApprovedPayPalOrderWhoseWebhookNeverCameIsCapturedByTheJob() async throws {
        try await FakeProviders.with { base, providers in
            try await withApp(configure: { Self.configure(&$0, base: base) }) { app in
                let checkout = try await start(app, "paypal", key: "paypal-job-1")
                let job = Self.reconciliation(app, base: base)
                // Not approved yet: nothing to do.
                let waiting = try await job.run(logger: TestDatabase.logger)
                #expect(waiting.asked == 1 && waiting.applied.isEmpty, "\(waiting.summary)")
                providers.approve(checkout.reference)
                let round = try await job.run(logger: TestDatabase.logger)
                #expect(round.applied == [.orderCreated], "\(round.summary)")
                #expect(providers.captureRequestIds == ["atelier-capture-\(checkout.id)"])
                let capture = try #require(providers.captureId(of: checkout.reference))
                #expect(try await events(app, checkout.id) == [["capture:\(capture):succeeded", "order_created"]])
                #expect(try await read(app, checkout.id, token: checkout.token)["status"] as? String == "paid")
            }
        }
    }
}

/// Stripe's PaymentIntents and PayPal's Orders v2 on a local port, as far as payments whose webhook never came need
/// them: create, look up, capture, and PayPal's token and webhook verification (every signature is confirmed). The
/// test pays and approves by hand, and can make the provider away (503) or slow (6 s per lookup).
final class FakeProviders: Sendable {
    struct Intent {
        var amount: Int64
        var currency: String
        var checkoutId: String
        var status = "requires_payment_method"
    }

    struct Order {
        var value: String
        var currency: String
        var checkoutId: String
        var status = "PAYER_ACTION_REQUIRED"
        var captureId: String?
    }

    struct State {
        var next = 0
        var intents: [String: Intent] = [:]
        var orders: [String: Order] = [:]
        var createBodies: [String] = []
        var captureRequestIds: [String] = []
        var captured: [String: String] = [:]
        var lookups = 0
        var away = false
        var slow = false
    }

    private let state = Mutex(State())

    var lookups: Int { state.withLock { $0.lookups } }
    var captureRequestIds: [String] { state.withLock { $0.captureRequestIds } }
    var away: Bool {
        get { state.withLock { $0.away } }
        set { state.withLock { $0.away = newValue } }
    }
    var slow: Bool {
        get { state.withLock { $0.slow } }
        set { state.withLock { $0.slow = newValue } }
    }

    /// The bodies of the PayPal orders created, parsed.
    var createdOrders: [[String: Any]] {
        state.withLock { $0.createBodies }.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
    }

    func pay(_ intent: String) { state.withLock { $0.intents[intent]?.status = "succeeded" } }
    func approve(_ order: String) { state.withLock { $0.orders[order]?.status = "APPROVED" } }
    func captureId(of order: String) -> String? { state.withLock { $0.orders[order]?.captureId } }

    /// Counts a lookup; waits 6 s first while slow; answers 503 while away.
    func lookedUp() async -> Response? {
        let (away, slow) = state.withLock { state in
            state.lookups += 1
            return (state.away, state.slow)
        }
        if slow { try? await Task.sleep(for: .seconds(6)) }
        return away ? Self.json(["error": ["type": "api_error", "message": "unavailable"]], status: .serviceUnavailable) : nil
    }

    static func json(_ object: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func form(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            if parts.count == 2 { fields[parts[0]] = parts[1] }
        }
        return fields
    }

    static func order(_ id: String, _ order: Order) -> [String: Any] {
        var unit: [String: Any] = ["reference_id": order.checkoutId, "custom_id": order.checkoutId,
                                   "amount": ["currency_code": order.currency, "value": order.value]]
        if let capture = order.captureId {
            unit["payments"] = ["captures": [["id": capture, "status": "COMPLETED", "custom_id": order.checkoutId,
                                              "amount": ["currency_code": order.currency, "value": order.value]]]]
        }
        return ["id": id, "intent": "CAPTURE", "status": order.status, "purchase_units": [unit]]
    }

    static func with<T: Sendable>(_ body: @escaping @Sendable (_ base: String, _ providers: FakeProviders) async throws -> T) async throws -> T {
        let providers = FakeProviders()
        let router = Router()
        router.post("/v1/payment_intents") { request, _ -> Response in
            var request = request
            let form = FakeProviders.form(String(buffer: try await request.collectBody(upTo: 65_536)))
            let (amount, currency, checkoutId) = (Int64(form["amount"] ?? "") ?? 0, form["currency"] ?? "", form["metadata[checkout_id]"] ?? "")
            let id = providers.state.withLock { state -> String in
                state.next += 1
                let id = "pi_fake\(state.next)"
                state.intents[id] = Intent(amount: amount, currency: currency, checkoutId: checkoutId)
                return id
            }
            return FakeProviders.json(["id": id, "object": "payment_intent", "client_secret": id + "_secret_fake", "status": "requires_payment_method"])
        }
        router.get("/v1/payment_intents/:id") { _, context -> Response in
            let id = context.parameters.get("id") ?? ""
            if let unavailable = await providers.lookedUp() { return unavailable }
            guard let intent = providers.state.withLock({ $0.intents[id] }) else {
                return FakeProviders.json(["error": ["type": "invalid_request_error", "code": "resource_missing", "message": "No such payment_intent"]],
                                 status: .notFound)
            }
            var answer: [String: Any] = ["id": id, "object": "payment_intent", "status": intent.status, "amount": Int(intent.amount),
                                         "currency": intent.currency, "metadata": ["checkout_id": intent.checkoutId]]
            if intent.status == "succeeded" { answer["amount_received"] = Int(intent.amount) }
            return FakeProviders.json(answer)
        }
        router.post("/v1/oauth2/token") { _, _ -> Response in
            FakeProviders.json(["access_token": "A21-fake", "token_type": "Bearer", "expires_in": 32400])
        }
        router.post("/v1/notifications/verify-webhook-signature") { _, _ -> Response in
            FakeProviders.json(["verification_status": "SUCCESS"])
        }
        router.post("/v2/checkout/orders") { request, _ -> Response in
            var request = request
            let text = String(buffer: try await request.collectBody(upTo: 65_536))
            let unit = (((try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any])?["purchase_units"] as? [[String: Any]])?.first
            let amount = unit?["amount"] as? [String: Any]
            let (value, currency, checkoutId) = (amount?["value"] as? String ?? "", amount?["currency_code"] as? String ?? "",
                                                 unit?["custom_id"] as? String ?? "")
            let id = providers.state.withLock { state -> String in
                state.next += 1
                let id = "ORDER\(state.next)"
                state.orders[id] = Order(value: value, currency: currency, checkoutId: checkoutId)
                state.createBodies.append(text)
                return id
            }
            return FakeProviders.json(["id": id, "status": "PAYER_ACTION_REQUIRED",
                              "links": [["href": "https://www.paypal.example/checkoutnow?token=\(id)", "rel": "payer-action", "method": "GET"]]],
                             status: .created)
        }
        router.get("/v2/checkout/orders/:id") { _, context -> Response in
            let id = context.parameters.get("id") ?? ""
            if let unavailable = await providers.lookedUp() { return unavailable }
            guard let order = providers.state.withLock({ $0.orders[id] }) else {
                return FakeProviders.json(["name": "RESOURCE_NOT_FOUND", "message": "The specified resource does not exist."], status: .notFound)
            }
            return FakeProviders.json(FakeProviders.order(id, order))
        }
        router.post("/v2/checkout/orders/:id/capture") { request, context -> Response in
            let id = context.parameters.get("id") ?? ""
            let requestId = request.headers[HTTPField.Name("PayPal-Request-Id")!] ?? ""
            // The same PayPal-Request-Id again answers the first capture; another capture of a completed order is refused.
            let (status, order, issue) = providers.state.withLock { state -> (HTTPResponse.Status, Order?, String?) in
                state.captureRequestIds.append(requestId)
                guard var order = state.orders[id] else { return (.notFound, nil, "INVALID_RESOURCE_ID") }
                if order.status == "COMPLETED" {
                    return state.captured[requestId] == id ? (.ok, order, nil) : (.unprocessableContent, nil, "ORDER_ALREADY_CAPTURED")
                }
                guard order.status == "APPROVED" else { return (.unprocessableContent, nil, "ORDER_NOT_APPROVED") }
                state.next += 1
                order.status = "COMPLETED"
                order.captureId = "CAPTURE\(state.next)"
                state.orders[id] = order
                state.captured[requestId] = id
                return (.created, order, nil)
            }
            guard let order else {
                return FakeProviders.json(["name": "UNPROCESSABLE_ENTITY", "message": "The requested action could not be performed.",
                                  "details": [["issue": issue ?? ""]]], status: status)
            }
            return FakeProviders.json(FakeProviders.order(id, order), status: status)
        }
        // The live test server listens on localhost, on a port of its choosing.
        let app = Application(router: router)
        return try await app.test(.live) { client in
            let port = try #require(client.port)
            return try await body("http://localhost:\(port)", providers)
        }
    }
}
