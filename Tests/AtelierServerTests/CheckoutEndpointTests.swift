import Atelier
import Crypto
@testable import AtelierServer
import AtelierTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite struct CheckoutEndpointTests {
    static let checkoutBody = #"""
        {"contact": {"email": "grace@example.com", "name": "Grace Hopper", "phone": "+1 212 555 0100"},
         "shippingAddress": {"name": "Grace Hopper", "line1": "1 Navy Yard", "city": "Brooklyn", "region": "NY", "postalCode": "11205", "country": "US"},
         "shippingMethod": "standard", "payment": {"provider": "test"}}
        """#

    func amount(_ value: Any?) -> Int? { (value as? [String: Any])?["amount"] as? Int }

    /// A cart with one resin figurine (7000); answers its key.
    func cart(_ app: TestApp) async throws -> String {
        let added = try await app.send(.post, "/cart/items", json: #"""
            {"product": "3d-printed-figurine", "selection": {"size": "large", "material": "resin", "colour": "red"}}
            """#)
        return try #require(added.headers[.sessionKey])
    }

    func checkout(_ app: TestApp, key: String, idempotencyKey: String, body: String = checkoutBody) async throws -> TestResponse {
        try await app.send(.post, "/checkout", json: body, headers: [.sessionKey: key, HTTPField.Name("Idempotency-Key")!: idempotencyKey])
    }

    @Test func fromCartToPaidOrderWithTheTestProvider() async throws {
        try await withApp(configure: { $0.server.seedDemoCatalog = true }) { app in
            let key = try await cart(app)
            let started = try await checkout(app, key: key, idempotencyKey: "attempt-1")
            #expect(started.status == .created, "\(started.text)")
            let answer = try started.json()
            let token = try #require(answer["accessToken"] as? String)
            let view = try #require(answer["checkout"] as? [String: Any])
            let id = try #require(view["id"] as? String)
            // 7000 + standard shipping to NY (5.00 + 1.00) + 8.875 % on goods and on shipping, rounded per base.
            let tax = (7000 * 88_750 + 500_000) / 1_000_000 + (600 * 88_750 + 500_000) / 1_000_000
            #expect(amount(view["total"]) == 7000 + 600 + tax)
            #expect(view["status"] as? String == "pending")
            #expect((view["payment"] as? [String: Any])?["testPaymentUrl"] as? String == "/checkout/\(id)/test-payment")
            // Answers about one shopper are never kept by a shared cache.
            #expect(started.headers[.cacheControl] == "no-store")

            // A replay answers the first answer; the same key with another body is refused.
            let replay = try await checkout(app, key: key, idempotencyKey: "attempt-1")
            #expect(replay.status == .created)
            #expect(replay.text == started.text)
            let other = try await checkout(app, key: key, idempotencyKey: "attempt-1",
                                           body: Self.checkoutBody.replacingOccurrences(of: "Grace Hopper\", \"phone", with: "G. Hopper\", \"phone"))
            #expect(other.problemCode == "idempotency_key_reused")
            #expect(try await app.send(.post, "/checkout", json: Self.checkoutBody, headers: [.sessionKey: key]).status == .badRequest)

            // Without the token the checkout does not exist.
            #expect(try await app.send(.get, "/checkout/\(id)").status == .notFound)
            #expect(try await app.send(.get, "/checkout/\(id)?token=ot_wrong").status == .notFound)
            #expect(try await app.send(.post, "/checkout/\(id)/test-payment", json: "{}").status == .notFound)

            let paid = try await app.send(.post, "/checkout/\(id)/test-payment", json: #"{"outcome": "succeeded"}"#,
                                          headers: [HTTPField.Name("X-Access-Token")!: token])
            #expect(paid.status == .ok, "\(paid.text)")
            let result = try paid.json()
            #expect(result["outcome"] as? String == "order_created")
            let orderId = try #require((result["checkout"] as? [String: Any])?["orderId"] as? String)
            // Paying again makes no second order.
            let again = try await app.send(.post, "/checkout/\(id)/test-payment?token=\(token)", json: "{}")
            #expect(try again.json()["outcome"] as? String == "already_paid")

            let tracked = try await app.send(.get, "/orders/\(orderId)?token=\(token)")
            #expect(tracked.headers[.cacheControl] == "no-store")
            let order = try tracked.json()
            #expect(order["status"] as? String == "paid")
            #expect(amount(order["total"]) == 7000 + 600 + tax)
            #expect((order["lines"] as? [[String: Any]])?.first?["quantity"] as? Int == 1)
            #expect(try await app.send(.get, "/orders/\(orderId)").status == .notFound)
            #expect(try await app.send(.get, "/orders/\(orderId)?token=\(String(token.dropLast()))x").status == .notFound)
            #expect(try await app.send(.get, "/orders/ord_00000000000000000000000000?token=\(token)").status == .notFound)
            // The cart was emptied by the payment.
            #expect((try await app.send(.get, "/cart", headers: [.sessionKey: key]).json()["lines"] as? [Any])?.isEmpty == true)

            // Operations find it by email (any case), see the customer, and move it along.
            let ops = try await app.makeKey(.operations).token
            let viewer = try await app.makeKey(.viewer).token
            let listed = try await app.send(.get, "/admin/orders?email=GRACE@example.com", token: viewer).json()
            #expect((listed["items"] as? [[String: Any]])?.map { $0["id"] as? String } == [orderId])
            #expect((try await app.send(.get, "/admin/orders?email=someone@example.com", token: viewer).json()["items"] as? [Any])?.isEmpty == true)
            let detailed = try await app.send(.get, "/admin/orders/\(orderId)", token: viewer)
            #expect(detailed.headers[.cacheControl] == "no-store")
            #expect(try await app.send(.get, "/products").headers[.cacheControl]?.hasPrefix("public") == true)
            let detail = try detailed.json()
            #expect((detail["customer"] as? [String: Any])?["name"] as? String == "Grace Hopper")
            #expect((detail["audit"] as? [[String: Any]])?.first?["actorKind"] as? String == "payment_provider")
            #expect(try await app.send(.post, "/admin/orders/\(orderId)/transitions", token: viewer, json: #"{"to": "in_production"}"#).status == .forbidden)
            let illegal = try await app.send(.post, "/admin/orders/\(orderId)/transitions", token: ops, json: #"{"to": "shipped"}"#)
            #expect(illegal.status == .conflict)
            #expect(illegal.problemCode == "illegal_transition")
            #expect(illegal.text.contains("in_production, cancelled"))
            let moved = try await app.send(.post, "/admin/orders/\(orderId)/transitions", token: ops, json: #"{"to": "in_production"}"#).json()
            #expect((moved["order"] as? [String: Any])?["status"] as? String == "in_production")
            let audit = moved["audit"] as? [[String: Any]] ?? []
            #expect(audit.last?["actorKind"] as? String == "api_key" && (audit.last?["actorId"] as? String)?.hasPrefix("key_") == true)
            let cancelled = try await app.send(.post, "/admin/orders/\(orderId)/transitions", token: ops,
                                               json: #"{"to": "cancelled", "reason": "Customer changed their mind"}"#).json()
            #expect(amount((cancelled["order"] as? [String: Any])?["refunded"]) == 7000 + 600 + tax)
        }
    }

    @Test func checkoutPricesFromTheDatabaseNotFromThisNodesMemory() async throws {
        try await withApp(configure: { $0.server.seedDemoCatalog = true }) { app in
            let key = try await cart(app)
            // This node keeps the product in memory; another node then raises its price in the database.
            #expect(try await app.send(.get, "/cart", headers: [.sessionKey: key]).status == .ok)
            let products = ProductStore(shopCurrency: "USD")
            try await app.database.transaction { db in
                var product = try #require(try await products.find("3d-printed-figurine", on: db))
                product.definition.basePrice = 3000
                _ = try await products.replace(id: product.id, with: product.definition, on: db)
            }
            let started = try await checkout(app, key: key, idempotencyKey: "k1")
            let lines = (try started.json()["checkout"] as? [String: Any])?["lines"] as? [[String: Any]]
            #expect(amount(lines?.first?["lineTotal"]) == 3000 + 3000 + 1500)
        }
    }

    @Test func aChangedTotalIs409WithTheNewQuote() async throws {
        try await withApp(configure: { $0.server.seedDemoCatalog = true }) { app in
            let key = try await cart(app)
            let body = Self.checkoutBody.replacingOccurrences(of: #""payment""#, with: #""expectedTotal": 100, "payment""#)
            let response = try await checkout(app, key: key, idempotencyKey: "attempt-1", body: body)
            #expect(response.status == .conflict)
            #expect(response.problemCode == "total_changed")
            let quote = try #require(try response.json()["quote"] as? [String: Any])
            #expect(amount(quote["subtotal"]) == 7000)
            // Nothing was reserved or remembered: the same key now succeeds with the right total.
            let total = try #require(amount(quote["total"]))
            let fixed = Self.checkoutBody.replacingOccurrences(of: #""payment""#, with: #""expectedTotal": \#(total), "payment""#)
            #expect(try await checkout(app, key: key, idempotencyKey: "attempt-2", body: fixed).status == .created)
        }
    }

    @Test func theSameIdempotencyKeySentTwentyTimesAtOnceMakesOneCheckout() async throws {
        try await withApp(configure: { $0.server.seedDemoCatalog = true }) { app in
            let key = try await cart(app)
            let responses = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        let response = try await checkout(app, key: key, idempotencyKey: "same-key")
                        return (Int(response.status.code), response.text)
                    }
                }
                var all: [(Int, String)] = []
                for try await response in group { all.append(response) }
                return all
            }
            let created = responses.filter { $0.0 == 201 }
            // Every answer is the first answer, or (while it is being made) 409 request_in_progress.
            #expect(Set(created.map(\.1)).count == 1)
            #expect(responses.allSatisfy { $0.0 == 201 || ($0.0 == 409 && $0.1.contains("request_in_progress")) }, "\(responses.map(\.0))")
            let checkouts = try await app.database.withConnection { db in try await db.raw("SELECT COUNT(*) AS n FROM checkouts").first(decodingColumn: "n", as: Int.self) }
            #expect(checkouts == 1)
        }
    }

    @Test func badCheckoutInputIsRefusedWithEveryProblem() async throws {
        try await withApp(configure: { $0.server.seedDemoCatalog = true }) { app in
            let key = try await cart(app)
            let bad = #"""
                {"contact": {"email": "not-an-email", "name": " "},
                 "shippingAddress": {"name": "G", "line1": "1 Road", "city": "X", "postalCode": "1", "country": "ZZZ"},
                 "payment": {"provider": "paypal"}}
                """#
            let response = try await checkout(app, key: key, idempotencyKey: "k1", body: bad)
            #expect(response.problemCode == "validation_failed")
            let codes = Set(((try response.json()["errors"] as? [[String: Any]]) ?? []).compactMap { $0["code"] as? String })
            #expect(codes == ["invalid_email", "required", "invalid_country", "provider_unavailable"])
            let empty = try await checkout(app, key: "cs_" + String(repeating: "a", count: 43), idempotencyKey: "k2")
            #expect(empty.problemCode == "cart_empty")
        }
    }

    /// A Stripe event for a payment intent, signed as Stripe signs (the scheme is checked against
    /// Stripe's own library in StripeWebhookTests).
    static func stripeEvent(id: String, type: String, intent: String, checkoutId: String, amount: Int64, at time: Int) -> (String, String) {
        let body = """
            {"id": "\(id)", "object": "event", "type": "\(type)", "created": \(time),
             "data": {"object": {"id": "\(intent)", "object": "payment_intent", "amount": \(amount), "currency": "usd",
                                 "metadata": {"checkout_id": "\(checkoutId)"}}}}
            """
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(time).\(body)".utf8), using: SymmetricKey(data: Data("whsec_test123".utf8)))
        return (body, "t=\(time),v1=" + mac.map { String(format: "%02x", $0) }.joined())
    }

    @Test func stripeWebhooksConfirmPaymentsOnceAndRefuseForgeries() async throws {
        try await withApp(configure: {
            $0.server.seedDemoCatalog = true
            $0.commerce.stripeWebhookSecrets = ["whsec_test123"]
        }) { app in
            let key = try await cart(app)
            // A checkout paid through Stripe, as the checkout endpoint makes it once a PaymentIntent exists.
            let service = CheckoutService(
                carts: CartStore(ttl: 3600), pricing: CartPricing(currency: "USD", taxMode: .exclusive, calendar: .init()),
                cipher: .random(), providers: [.stripe])
            let customer = CustomerDetails(email: "k@example.com", name: "Katherine Johnson", shippingAddress: .init(
                name: "K", line1: "1 Langley", city: "Hampton", region: "VA", postalCode: "23666", country: "US"))
            let checkout = try await app.database.transaction { db in
                let (checkout, _) = try await service.start(cartKey: key, .init(customer: customer, provider: .stripe), on: db)
                try await CheckoutStore().attachPayment(checkoutId: checkout.id, providerRef: "pi_123", clientSecret: "pi_123_secret", approvalURL: nil, at: Date(), on: db)
                return checkout
            }
            let now = Int(Date().timeIntervalSince1970)
            func post(_ event: (String, String)) async throws -> TestResponse {
                try await app.send(.post, "/webhooks/stripe", json: event.0, headers: [HTTPField.Name("Stripe-Signature")!: event.1])
            }
            let failed = Self.stripeEvent(id: "evt_1", type: "payment_intent.payment_failed", intent: "pi_123", checkoutId: checkout.id,
                                          amount: checkout.total, at: now)
            #expect(try await post(failed).json()["outcome"] as? String == "failure_recorded")
            let paid = Self.stripeEvent(id: "evt_2", type: "payment_intent.succeeded", intent: "pi_123", checkoutId: checkout.id,
                                        amount: checkout.total, at: now)
            #expect(try await post(paid).json()["outcome"] as? String == "order_created")
            // Repeated, late and out-of-order deliveries change nothing.
            #expect(try await post(paid).json()["outcome"] as? String == "duplicate")
            #expect(try await post(Self.stripeEvent(id: "evt_3", type: "payment_intent.payment_failed", intent: "pi_123",
                                                    checkoutId: checkout.id, amount: checkout.total, at: now)).json()["outcome"] as? String == "ignored")
            #expect(try await post(Self.stripeEvent(id: "evt_4", type: "payment_intent.succeeded", intent: "pi_123",
                                                    checkoutId: checkout.id, amount: checkout.total, at: now)).json()["outcome"] as? String == "already_paid")
            #expect(try await post(Self.stripeEvent(id: "evt_5", type: "charge.refunded", intent: "pi_123",
                                                    checkoutId: checkout.id, amount: 1, at: now)).json()["outcome"] as? String == "ignored")
            let orders = try await app.database.withConnection { db in try await db.raw("SELECT COUNT(*) AS n FROM orders").first(decodingColumn: "n", as: Int.self) }
            #expect(orders == 1)

            // Forged, tampered and stale events are refused before anything is read.
            let (body, signature) = Self.stripeEvent(id: "evt_6", type: "payment_intent.succeeded", intent: "pi_123", checkoutId: checkout.id,
                                                     amount: 1, at: now)
            #expect(try await post((body.replacingOccurrences(of: "\"amount\": 1,", with: "\"amount\": 2,"), signature)).problemCode == "invalid_signature")
            #expect(try await post((body, "t=\(now),v1=deadbeef")).problemCode == "invalid_signature")
            #expect(try await post(Self.stripeEvent(id: "evt_7", type: "payment_intent.succeeded", intent: "pi_123", checkoutId: checkout.id,
                                                    amount: checkout.total, at: now - 3600)).problemCode == "stale_signature")
            #expect(try await app.send(.post, "/webhooks/stripe", json: body).status == .badRequest)
        }
        // Without secrets the endpoint does not exist for Stripe.
        try await withApp { app in
            let (body, signature) = Self.stripeEvent(id: "evt_1", type: "payment_intent.succeeded", intent: "pi_1", checkoutId: "chk_1",
                                                     amount: 1, at: Int(Date().timeIntervalSince1970))
            let response = try await app.send(.post, "/webhooks/stripe", json: body, headers: [HTTPField.Name("Stripe-Signature")!: signature])
            #expect(response.status == .notFound)
        }
    }
}
