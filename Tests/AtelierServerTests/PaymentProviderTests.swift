import Atelier
import Crypto
@testable import AtelierServer
import AtelierTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// The provider side of checkout that needs no provider to answer: an unreachable provider, cancelling,
/// unconfigured webhooks. The successful paths run against localstripe and the PayPal fake in
/// `scripts/check-payments.py`.
@Suite struct PaymentProviderTests {
    let endpoint = CheckoutEndpointTests()

    @Test func anUnreachableProviderLeavesOneCheckoutThatARetryWithTheSameKeyFinishes() async throws {
        try await withApp(configure: {
            $0.seedDemoCatalog = true
            $0.paymentProviders = [.test, .stripe]
            // Nothing listens on the discard port of loopback: every call fails at once, as in an outage.
            $0.stripe = StripeSettings(secretKey: "sk_test_unreachable", apiBase: "http://127.0.0.1:9", timeout: .milliseconds(500))
            $0.stripeWebhookSecrets = ["whsec_unreachable_test"]
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
            $0.seedDemoCatalog = true
            $0.paymentProviders = [.test, .stripe]
            $0.stripe = StripeSettings(secretKey: "sk_test_unreachable", apiBase: "http://127.0.0.1:9", timeout: .milliseconds(500))
            $0.stripeWebhookSecrets = ["whsec_unreachable_test"]
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
        try await withApp(configure: { $0.seedDemoCatalog = true }) { app in
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
        try await withApp(configure: { $0.stripeWebhookSecrets = [secret] }) { app in
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
}
