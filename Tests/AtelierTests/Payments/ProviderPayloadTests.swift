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
import AtelierTestSupport
import Foundation
import SQLKit
import Testing

/// Provider events keep what Atelier needs (ids, amounts, status, references) and never the payer's details.
@Suite struct ProviderPayloadTests {
    let fixtures = CheckoutTests()

    /// An open checkout of one large mug, to be paid through `provider`.
    func checkout(_ database: any DatabaseClient, _ product: Product, provider: PaymentProviderKind) async throws -> Checkout {
        let key = try await fixtures.cart(database, product)
        let service = CheckoutService(carts: fixtures.carts, pricing: CartPricing(currency: "USD", taxMode: .exclusive, calendar: .init()),
                                      cipher: fixtures.cipher, providers: [.stripe, .paypal])
        return try await database.transaction { db in
            try await service.start(cartKey: key, .init(customer: CheckoutTests.customer, provider: provider), on: db).0
        }
    }

    static func object(_ json: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    }

    @Test func providerEventsAreStoredWithoutThePayersDetails() async throws {
        try await TestDatabase.with { database in
            let product = try await fixtures.seed(database)
            let (bought, approved, captured) = (try await checkout(database, product, provider: .stripe),
                                                try await checkout(database, product, provider: .paypal),
                                                try await checkout(database, product, provider: .paypal))
            let processor = PaymentProcessor()

            // Stripe: the webhook's body read as the handler reads it, then applied.
            let stripe = try #require(try StripeWebhookVerifier.paymentEvent(from: Data(ProviderEvents.stripeSucceeded(checkoutId: bought.id, amount: bought.total).utf8)))
            #expect(try await database.transaction { db in try await processor.apply(stripe, on: db) }.0 == .orderCreated)

            // PayPal approval: the handler captures the order and records the capture with the approval's body.
            let value = CurrencyUnits.decimalString(approved.total, currency: "USD")
            let approval = ProviderEvents.paypalApproved(checkoutId: approved.id, value: value)
            let (_, _, asked) = try PayPalWebhooks.action(from: Array(approval.utf8))
            #expect(asked == .capture(orderId: "5O190127TN364715T", checkoutId: approved.id))
            let capture = PayPalWebhooks.Capture(id: "3C679366HH908993F", status: "COMPLETED", orderId: "5O190127TN364715T",
                                                 checkoutId: approved.id, amount: approved.total, currency: "USD")
            let capturedOnApproval = try #require(capture.paymentEvent(payload: approval))
            #expect(try await database.transaction { db in try await processor.apply(capturedOnApproval, on: db) }.0 == .orderCreated)

            // PayPal capture completed: the webhook's body is the event.
            let completed = ProviderEvents.paypalCaptured(checkoutId: captured.id, value: CurrencyUnits.decimalString(captured.total, currency: "USD"))
            let (_, _, reported) = try PayPalWebhooks.action(from: Array(completed.utf8))
            guard case .payment(let paypal) = reported else {
                Issue.record("PAYMENT.CAPTURE.COMPLETED was not read as a payment: \(reported)")
                return
            }
            #expect(try await database.transaction { db in try await processor.apply(paypal, on: db) }.0 == .orderCreated)

            // Nothing about the payers is anywhere in the database.
            let dump = try await database.withConnection { db in try await DatabaseDump.text(db) }.lowercased()
            for detail in ProviderEvents.payerDetails {
                #expect(!dump.contains(detail.lowercased()), "\(detail) is stored")
            }

            // What Atelier needs is kept: ids, amounts, status and the references to the checkout and the provider's objects.
            let stored = try await database.withConnection { db in
                try await db.raw("SELECT event_id, payload FROM payment_events").all().reduce(into: [String: String]()) { stored, row in
                    stored[try row.decode(column: "event_id", as: String.self)] = try row.decode(column: "payload", as: String.self)
                }
            }
            let intentEvent = try #require(stored["evt_3Q8xWbLkdIwHu7ix1S7nA2bc"])
            let intent = try #require((try Self.object(intentEvent)["data"] as? [String: Any])?["object"] as? [String: Any])
            #expect(Set(intent.keys) == ["id", "object", "amount", "amount_capturable", "amount_received", "capture_method", "created", "currency",
                                         "latest_charge", "livemode", "metadata", "status"])
            #expect(intent["metadata"] as? [String: String] == ["checkout_id": bought.id])
            #expect(intent["amount_received"] as? Int == Int(bought.total) && intent["status"] as? String == "succeeded")

            let order = try Self.object(try #require(stored["capture:3C679366HH908993F:succeeded"]))
            #expect(Set(order.keys) == ["id", "event_type", "event_version", "create_time", "resource_type", "resource_version", "resource"])
            let resource = try #require(order["resource"] as? [String: Any])
            #expect(Set(resource.keys) == ["id", "intent", "status", "create_time", "update_time", "purchase_units"])
            let unit = try #require((resource["purchase_units"] as? [[String: Any]])?.first)
            #expect(Set(unit.keys) == ["reference_id", "custom_id", "amount"])
            #expect(unit["custom_id"] as? String == approved.id)

            let completionEvent = try #require(stored["capture:7TK53561YB803214S:succeeded"])
            let completion = try #require(try Self.object(completionEvent)["resource"] as? [String: Any])
            #expect(Set(completion.keys) == ["id", "status", "amount", "final_capture", "custom_id", "seller_receivable_breakdown",
                                             "supplementary_data", "create_time", "update_time"])
            #expect(completion["custom_id"] as? String == captured.id)
            #expect(completion["amount"] as? [String: String] == ["currency_code": "USD", "value": CurrencyUnits.decimalString(captured.total, currency: "USD")])
        }
    }

    @Test func onlyNamedScalarsAreKept() throws {
        let stripe = ProviderEventPayload.minimized(ProviderEvents.stripeSucceeded(checkoutId: "chk_1", amount: 2400), provider: .stripe)
        // Minimizing again changes nothing; the erasure marker and the built-in provider's note stay as they are.
        #expect(ProviderEventPayload.minimized(stripe, provider: .stripe) == stripe)
        #expect(ProviderEventPayload.minimized(#"{"erased":true}"#, provider: .paypal) == #"{"erased":true}"#)
        #expect(ProviderEventPayload.minimized(#"{"provider":"test"}"#, provider: .test) == #"{"provider":"test"}"#)
        // A known name holding an object, a null or a long text keeps nothing of it; what is not JSON keeps nothing at all.
        let odd = #"{"id": {"email": "x@example.com"}, "type": null, "object": "\#(String(repeating: "x", count: 500))", "created": 1}"#
        #expect(ProviderEventPayload.minimized(odd, provider: .stripe) == #"{"created":1}"#)
        #expect(ProviderEventPayload.minimized("not json", provider: .paypal) == "{}")
        // Numbers stay numbers (0 and 1 are not booleans), booleans stay booleans, fractions keep their digits.
        #expect(ProviderEventPayload.minimized(#"{"created": 0, "livemode": false, "data": {"object": {"amount": 1, "amount_received": 12.5}}}"#,
                                               provider: .stripe) == #"{"created":0,"data":{"object":{"amount":1,"amount_received":12.5}},"livemode":false}"#)
        #expect(ProviderEventPayload.minimized(#"{"payer": {"email_address": "x@example.com"}}"#, provider: .paypal) == "{}")
    }

    @Test func eventsStoredInFullBeforeAreMinimizedByAMigration() async throws {
        try await TestDatabase.with(migrate: false) { database in
            let name = "0011_minimize_payment_event_payloads"
            let earlier = Array(AllMigrations.list.prefix { $0.name != name })
            #expect(earlier.count < AllMigrations.list.count)
            try await Migrator(migrations: earlier).migrate(database, logger: TestDatabase.logger)
            let rows: [(String, String, String)] = [
                ("stripe", "evt_old", ProviderEvents.stripeSucceeded(checkoutId: "chk_old", amount: 2400)),
                ("paypal", "capture:OLD:succeeded", ProviderEvents.paypalApproved(checkoutId: "chk_old", value: "24.00")),
                ("paypal", "capture:ERASED:succeeded", #"{"erased":true}"#),
                ("test", "tpe_old", #"{"provider":"test"}"#),
            ]
            try await database.withConnection { db in
                for (provider, eventId, payload) in rows {
                    try await db.raw("""
                        INSERT INTO payment_events (provider, event_id, type, checkout_id, amount, currency, outcome, payload, received_at)
                        VALUES (\(bind: provider), \(bind: eventId), 'succeeded', 'chk_old', 2400, 'USD', 'late_payment', \(bind: payload), \(bind: Date()))
                        """).run()
                }
            }
            let applied = try await Migrator().migrate(database, logger: TestDatabase.logger)
            #expect(applied.first == name)
            let stored = try await database.withConnection { db in
                try await db.raw("SELECT event_id, payload FROM payment_events").all().reduce(into: [String: String]()) { stored, row in
                    stored[try row.decode(column: "event_id", as: String.self)] = try row.decode(column: "payload", as: String.self)
                }
            }
            #expect(stored["evt_old"] == ProviderEventPayload.minimized(rows[0].2, provider: .stripe))
            #expect(stored["capture:OLD:succeeded"] == ProviderEventPayload.minimized(rows[1].2, provider: .paypal))
            #expect(stored["capture:ERASED:succeeded"] == #"{"erased":true}"#)
            #expect(stored["tpe_old"] == #"{"provider":"test"}"#)
            let dump = try await database.withConnection { db in try await DatabaseDump.text(db) }.lowercased()
            for detail in ProviderEvents.payerDetails {
                #expect(!dump.contains(detail.lowercased()), "\(detail) is still stored")
            }
            #expect(dump.contains("chk_old") && dump.contains("5o190127tn364715t") && dump.contains("pi_3q8xwblkdiwhu7ix1qz9de4f"))
        }
    }
}
