import Atelier
import Crypto
@testable import AtelierServer
import AtelierTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

/// The provider side of checkout that needs no provider to answer: an unreachable provider, cancelling,
/// unconfigured webhooks. The successful paths run against localstripe and the PayPal fake in
/// `scripts/check-payments.py`.
@Suite struct PaymentProviderTests {
    let endpoint = CheckoutEndpointTests()

    @Test func anUnreachableProviderLeavesOneCheckoutThatARetryWithTheSameKeyFinishes() async throws {
        try await withApp(configure: {
            $0.server.seedDemoCatalog = true
            $0.commerce.paymentProviders = [.test, .stripe]
            // Nothing listens on the discard port of loopback: every call fails at once, as in an outage.
            $0.commerce.stripe = StripeSettings(secretKey: "sk_test_unreachable", apiBase: "http://127.0.0.1:9", timeout: .milliseconds(500))
            $0.commerce.stripeWebhookSecrets = ["whsec_unreachable_test"]
        }) { app in
            let key = try await endpoint.cart(app)
            let body = CheckoutEndpointTests.checkoutBody.replacingOccurrences(of: #""provider": "test""#, with: #""provider": "stripe""#)
            let first = try await endpoint.checkout(app, key: key, idempotencyKey: "outage-1", body: body)
            #expect(first.status.code == 502, "\(first.text)")
            #expect(first.problemCode == "payment_provider_unavailable")
            let again = try await endpoint.checkout(app, key: key, idempotencyKey: "outage-1", body: body)
            #expect(again.problemCode == "payment_provider_unavailable")
            // One checkout, still pending with its stock held, waiting for its payment to be created.
            let rows = try await app.database.withConnection { db in
                try await db.raw("SELECT status, provider_ref FROM checkouts").all()
            }
            #expect(rows.count == 1)
            #expect(try rows.first?.decode(column: "status", as: String.self) == "pending")
            #expect(try rows.first?.decode(column: "provider_ref", as: String?.self) == nil)
            // A new key is a new attempt, not a second checkout of the same attempt.
            let other = try await endpoint.checkout(app, key: key, idempotencyKey: "outage-2", body: body)
            #expect(other.problemCode == "payment_provider_unavailable")
        }
    }

    @Test func readingACheckoutWhoseProviderIsAwayAnswersItAsItIs() async throws {
        try await withApp(configure: {
            $0.server.seedDemoCatalog = true
            $0.commerce.paymentProviders = [.test, .stripe]
            $0.commerce.stripe = StripeSettings(secretKey: "sk_test_unreachable", apiBase: "http://127.0.0.1:9", timeout: .milliseconds(500))
            $0.commerce.stripeWebhookSecrets = ["whsec_unreachable_test"]
        }) { app in
            let key = try await endpoint.cart(app)
            // A Stripe checkout whose payment was never created (the provider was away when it was started).
            let service = CheckoutService(
                carts: CartStore(ttl: 3600), pricing: CartPricing(currency: "USD", taxMode: .exclusive, calendar: .init()),
                cipher: .random(), providers: [.stripe])
            let customer = CustomerDetails(email: "k@example.com", name: "Katherine Johnson", shippingAddress: .init(
                name: "K", line1: "1 Langley", city: "Hampton", region: "VA", postalCode: "23666", country: "US"))
            let (checkout, token) = try await app.database.transaction { db in
                try await service.start(cartKey: key, .init(customer: customer, provider: .stripe), on: db)
            }
            #expect(checkout.awaitsProviderPayment)
            let read = try await app.send(.get, "/checkout/\(checkout.id)?token=\(token)")
            #expect(read.status == .ok, "\(read.text)")
            let view = try read.json()
            #expect(view["status"] as? String == "pending")
            #expect((view["payment"] as? [String: Any])?["reference"] == nil)
        }
    }

    @Test func aCancelledCheckoutGivesItsStockBackAndAPaidOneCannotBeCancelled() async throws {
        try await withApp(configure: { $0.server.seedDemoCatalog = true }) { app in
            let key = try await endpoint.cart(app)
            let started = try await endpoint.checkout(app, key: key, idempotencyKey: "cancel-1").json()
            let token = try #require(started["accessToken"] as? String)
            let id = try #require((started["checkout"] as? [String: Any])?["id"] as? String)
            let tokenHeader: HTTPFields = [HTTPField.Name("X-Access-Token")!: token]
            #expect(try await app.send(.post, "/checkout/\(id)/cancel").status == .notFound)
            let cancelled = try await app.send(.post, "/checkout/\(id)/cancel", headers: tokenHeader)
            #expect(cancelled.status == .ok, "\(cancelled.text)")
            #expect(try cancelled.json()["status"] as? String == "cancelled")
            // Cancelling again answers the same; a payment after it makes no order.
            #expect(try await app.send(.post, "/checkout/\(id)/cancel", headers: tokenHeader).status == .ok)
            let late = try await app.send(.post, "/checkout/\(id)/test-payment", json: "{}", headers: tokenHeader)
            #expect(try late.json()["outcome"] as? String == "late_payment")
            let events = try await app.send(.get, "/admin/payment-events?outcome=late_payment", token: app.adminToken).json()
            #expect((events["items"] as? [[String: Any]])?.map { $0["checkoutId"] as? String } == [id])

            let paidKey = try await endpoint.cart(app)
            let paid = try await endpoint.checkout(app, key: paidKey, idempotencyKey: "cancel-2").json()
            let paidToken = try #require(paid["accessToken"] as? String)
            let paidId = try #require((paid["checkout"] as? [String: Any])?["id"] as? String)
            let paidHeader: HTTPFields = [HTTPField.Name("X-Access-Token")!: paidToken]
            _ = try await app.send(.post, "/checkout/\(paidId)/test-payment", json: "{}", headers: paidHeader)
            #expect(try await app.send(.post, "/checkout/\(paidId)/cancel", headers: paidHeader).problemCode == "checkout_paid")
        }
    }

    @Test func providerWebhooksWithoutConfigurationAre404AndProviderBodiesMayHoldNulls() async throws {
        let secret = "whsec_nulls_are_fine_here"
        try await withApp(configure: { $0.commerce.stripeWebhookSecrets = [secret] }) { app in
            let paypal = try await app.send(.post, "/webhooks/paypal", json: #"{"id": "WH-1", "event_type": "X"}"#, headers: [
                HTTPField.Name("Paypal-Transmission-Id")!: "t", HTTPField.Name("Paypal-Transmission-Time")!: "2026-01-01T00:00:00Z",
                HTTPField.Name("Paypal-Transmission-Sig")!: "c2ln", HTTPField.Name("Paypal-Cert-Url")!: "https://example.com/c.pem",
                HTTPField.Name("Paypal-Auth-Algo")!: "SHA256withRSA",
            ])
            #expect(paypal.status == .notFound)
            #expect(paypal.problemCode == "provider_not_configured")
            // Stripe's events are full of nulls; our own no-null rule is for our clients, not for providers.
            let body = #"{"id": "evt_nulls", "type": "customer.created", "data": {"object": {"id": "cus_1", "email": null}}}"#
            let timestamp = Int(Date().timeIntervalSince1970)
            let mac = HMAC<SHA256>.authenticationCode(for: Data("\(timestamp).\(body)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
            let signature = "t=\(timestamp),v1=" + mac.map { String(format: "%02x", $0) }.joined()
            let answer = try await app.send(.post, "/webhooks/stripe", json: body, headers: [HTTPField.Name("Stripe-Signature")!: signature])
            #expect(answer.status == .ok, "\(answer.text)")
            #expect(try answer.json()["outcome"] as? String == "ignored")
        }
    }

    /// A PayPal delivery's headers, sent at `time`, with its certificate on `cert`.
    static func paypalHeaders(id: String, at time: Date, cert: String) -> HTTPFields {
        [
            HTTPField.Name("Paypal-Transmission-Id")!: id, HTTPField.Name("Paypal-Transmission-Time")!: ISO8601DateFormatter().string(from: time),
            HTTPField.Name("Paypal-Transmission-Sig")!: "c2lnbmF0dXJl", HTTPField.Name("Paypal-Cert-Url")!: cert,
            HTTPField.Name("Paypal-Auth-Algo")!: "SHA256withRSA",
        ]
    }

    @Test func payPalDeliveriesAreCheckedHereFirstAndAskedAboutOnce() async throws {
        try await FakePayPal.with { base, paypal in
            try await withApp(configure: {
                $0.commerce.paypal = PayPalSettings(clientId: "test-client", clientSecret: "test-secret", apiBase: base, webhookId: "WH-TEST")
            }) { app in
                let body = #"{"id": "WH-1", "event_type": "PAYMENT.SALE.COMPLETED", "resource": {"id": "S-1"}}"#
                let cert = base + "/_certs/fake.pem"
                // Anonymous requests without PayPal's headers, with a stale time or a foreign certificate never reach PayPal.
                let bare = try await app.send(.post, "/webhooks/paypal", json: body)
                #expect(bare.status == .badRequest, "\(bare.text)")
                #expect(bare.problemCode == "missing_signature")
                let stale = try await app.send(.post, "/webhooks/paypal", json: body,
                                               headers: Self.paypalHeaders(id: "tx-stale", at: Date().addingTimeInterval(-600), cert: cert))
                #expect(stale.problemCode == "stale_signature", "\(stale.text)")
                let foreign = try await app.send(.post, "/webhooks/paypal", json: body,
                                                 headers: Self.paypalHeaders(id: "tx-foreign", at: Date(), cert: "https://certs.example/c.pem"))
                #expect(foreign.problemCode == "invalid_signature", "\(foreign.text)")
                #expect(paypal.verifications == 0)

                // A genuine delivery is asked about once; its replays are answered from memory.
                let headers = Self.paypalHeaders(id: "tx-1", at: Date(), cert: cert)
                for _ in 0..<3 {
                    let delivered = try await app.send(.post, "/webhooks/paypal", json: body, headers: headers)
                    #expect(delivered.status == .ok, "\(delivered.text)")
                    #expect(try delivered.json()["outcome"] as? String == "ignored")
                }
                #expect(paypal.verifications == 1)
                // Its transmission id with another body is a forgery, refused without asking again.
                let forged = try await app.send(.post, "/webhooks/paypal", json: body.replacingOccurrences(of: "S-1", with: "S-2"), headers: headers)
                #expect(forged.problemCode == "invalid_signature", "\(forged.text)")
                #expect(paypal.verifications == 1)
            }
        }
    }

    @Test func thePayPalWebhookHasItsOwnRateLimit() async throws {
        try await withApp(configure: {
            $0.server.rateLimits = RateLimitSettings(trustedProxyHops: 1)
            $0.server.rateLimits.webhook = RateLimit(requests: 1, period: 60)
        }) { app in
            var headers = Self.paypalHeaders(id: "tx-1", at: Date(), cert: "https://api.paypal.com/v1/notifications/certs/CERT-1")
            headers[.xForwardedFor] = "198.51.100.40"
            let body = #"{"id": "WH-1", "event_type": "X"}"#
            let first = try await app.send(.post, "/webhooks/paypal", json: body, headers: headers)
            #expect(first.problemCode == "provider_not_configured")
            #expect(first.headers[.rateLimitPolicy] == "\"webhook\";q=1;w=60")
            let second = try await app.send(.post, "/webhooks/paypal", json: body, headers: headers)
            #expect(second.status == .tooManyRequests)
            #expect(second.problemCode == "rate_limited")
        }
        let loaded = try AtelierConfiguration.load(environment: ["ATELIER_RATE_LIMIT_WEBHOOK": "5/10"])
        #expect(loaded.server.rateLimits.webhook == RateLimit(requests: 5, period: 10))
        #expect(try AtelierConfiguration.load(environment: [:]).server.rateLimits.webhook == RateLimitSettings.production.webhook)
        #expect(RateLimitSettings.production.webhook != nil)
    }
}

/// PayPal's token and verification endpoints on a local port, counting the verification calls; every
/// signature is confirmed.
final class FakePayPal: Sendable {
    private let calls = Mutex(0)

    var verifications: Int { calls.withLock { $0 } }

    static func with<T: Sendable>(_ body: @escaping @Sendable (_ base: String, _ paypal: FakePayPal) async throws -> T) async throws -> T {
        let paypal = FakePayPal()
        let router = Router()
        router.post("/v1/oauth2/token") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"],
                     body: .init(byteBuffer: ByteBuffer(string: #"{"access_token": "A21-test", "token_type": "Bearer", "expires_in": 32400}"#)))
        }
        router.post("/v1/notifications/verify-webhook-signature") { _, _ in
            paypal.calls.withLock { $0 += 1 }
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(string: #"{"verification_status": "SUCCESS"}"#)))
        }
        // The live test server listens on localhost, on a port of its choosing.
        let app = Application(router: router)
        return try await app.test(.live) { client in
            let port = try #require(client.port)
            return try await body("http://localhost:\(port)", paypal)
        }
    }
}
