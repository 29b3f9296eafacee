import Atelier
import Crypto
@testable import AtelierServer
import AtelierTestSupport
import Foundation
import HTTPTypes
import Testing

/// Verified provider webhooks pay their orders, and the database keeps none of the payer's details they carry.
@Suite struct ProviderPayloadEndpointTests {
    let endpoint = CheckoutEndpointTests()

    /// A pending checkout paid through `provider`, of a new cart.
    func checkout(_ app: TestApp, provider: PaymentProviderKind) async throws -> Checkout {
        let key = try await endpoint.cart(app)
        let service = CheckoutService(
            carts: CartStore(ttl: 3600), pricing: CartPricing(currency: "USD", taxMode: .exclusive, calendar: .init()),
            cipher: .random(), providers: [.stripe, .paypal])
        let customer = CustomerDetails(email: "k@example.com", name: "Katherine Johnson", shippingAddress: .init(
            name: "Katherine Johnson", line1: "1 Langley", city: "Hampton", region: "VA", postalCode: "23666", country: "US"))
        return try await app.database.transaction { db in
            try await service.start(cartKey: key, .init(customer: customer, provider: provider), on: db).0
        }
    }

    @Test func webhooksStoreNoneOfThePayersDetails() async throws {
        let secret = "whsec_minimized_payloads"
        try await FakePayPal.with { base, paypal in
            try await withApp(configure: {
                $0.server.seedDemoCatalog = true
                $0.commerce.stripeWebhookSecrets = [secret]
                $0.commerce.paypal = PayPalSettings(clientId: "test-client", clientSecret: "test-secret", apiBase: base, webhookId: "WH-TEST")
            }) { app in
                let bought = try await checkout(app, provider: .stripe)
                let body = ProviderEvents.stripeSucceeded(checkoutId: bought.id, amount: bought.total)
                let timestamp = Int(Date().timeIntervalSince1970)
                let mac = HMAC<SHA256>.authenticationCode(for: Data("\(timestamp).\(body)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
                let signature = "t=\(timestamp),v1=" + mac.map { String(format: "%02x", $0) }.joined()
                let stripe = try await app.send(.post, "/webhooks/stripe", json: body, headers: [HTTPField.Name("Stripe-Signature")!: signature])
                #expect(stripe.status == .ok, "\(stripe.text)")
                #expect(try stripe.json()["outcome"] as? String == "order_created")

                let captured = try await checkout(app, provider: .paypal)
                let completed = ProviderEvents.paypalCaptured(checkoutId: captured.id,
                                                              value: CurrencyUnits.decimalString(captured.total, currency: "USD"))
                let headers = PaymentProviderTests.paypalHeaders(id: "tx-capture-1", at: Date(), cert: base + "/_certs/fake.pem")
                let delivered = try await app.send(.post, "/webhooks/paypal", json: completed, headers: headers)
                #expect(delivered.status == .ok, "\(delivered.text)")
                #expect(try delivered.json()["outcome"] as? String == "order_created")
                #expect(paypal.verifications == 1)

                let dump = try await app.database.withConnection { db in try await DatabaseDump.text(db) }.lowercased()
                for detail in ProviderEvents.payerDetails {
                    #expect(!dump.contains(detail.lowercased()), "\(detail) is stored")
                }
                // The admin's list of events still names each checkout, its amount and what it did.
                let listed = try await app.send(.get, "/admin/payment-events", token: app.adminToken).json()
                let items = try #require(listed["items"] as? [[String: Any]])
                #expect(Set(items.compactMap { $0["checkoutId"] as? String }) == [bought.id, captured.id])
                #expect(items.allSatisfy { $0["outcome"] as? String == "order_created" })
            }
        }
    }
}
