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

@Suite struct FulfillmentTests {
    let checkouts = CheckoutTests()

    /// A paid order of a large mug.
    func paidOrder(_ database: any DatabaseClient) async throws -> Order {
        let product = try await checkouts.seed(database)
        let checkout = try await checkouts.openCheckout(database, product)
        let (_, order) = try await database.transaction { db in try await PaymentProcessor().apply(checkouts.succeeded(checkout), on: db) }
        return try #require(order)
    }

    @Test func updatesMoveTheOrderForwardOnlyWithThePartnerAsActor() async throws {
        try await TestDatabase.with { database in
            let order = try await paidOrder(database)
            let updates = FulfillmentUpdates()
            func apply(_ status: String, tracking: FulfillmentUpdate.Tracking? = nil) async throws -> FulfillmentUpdates.Outcome {
                let update = FulfillmentUpdate(orderId: order.id, status: status, tracking: tracking, deliveredAt: nil)
                return try await database.transaction { db in try await updates.apply(update, eventId: "msg_\(status)", on: db) }
            }
            #expect(try await apply("in_production") == .applied)
            #expect(try await apply("in_production") == .ignored)
            // Shipping needs tracking: refused, nothing moves.
            await #expect(throws: AtelierError.self) { try await apply("shipped") }
            #expect(try await apply("shipped", tracking: .init(carrier: "DHL", number: "JD1", url: nil)) == .applied)
            #expect(try await apply("delivered") == .applied)
            // Stale and repeated reports after delivery change nothing.
            #expect(try await apply("shipped", tracking: .init(carrier: "DHL", number: "JD2", url: nil)) == .ignored)
            #expect(try await apply("fulfilled") == .ignored)
            await #expect(throws: AtelierError.self) { try await apply("paid") }
            await #expect(throws: AtelierError.self) { try await apply("teleported") }

            let (final, trail) = try await database.withConnection { db in
                (try await OrderStore().find(id: order.id, on: db), try await OrderStore().transitions(orderId: order.id, on: db))
            }
            #expect(final?.status == .delivered && final?.tracking?.number == "JD1")
            #expect(trail.dropFirst().map(\.to) == [.inProduction, .fulfilled, .shipped, .delivered])
            #expect(trail.dropFirst().allSatisfy { $0.actor.kind == .fulfillmentPartner })
        }
    }

    @Test func aCancelledOrderIgnoresReports() async throws {
        try await TestDatabase.with { database in
            let order = try await paidOrder(database)
            _ = try await database.transaction { db in
                try await OrderStore().transition(id: order.id, .init(to: .cancelled, reason: "changed mind"), actor: Actor(.system, nil), on: db)
            }
            let update = FulfillmentUpdate(orderId: order.id, status: "in_production", tracking: nil, deliveredAt: nil)
            #expect(try await database.transaction { db in try await FulfillmentUpdates().apply(update, eventId: "m", on: db) } == .ignored)
        }
    }

    @Test func theOrderDocumentCarriesTheCustomerButTheDeliveryLogDoesNot() async throws {
        try await TestDatabase.with { database in
            let order = try await paidOrder(database)
            let documents = FulfillmentDocuments(cipher: checkouts.cipher, publicBaseURL: "https://api.shop.example")
            let text = try #require(try await database.withConnection { db in
                try await documents.orderDocument(eventId: "evt_1", orderId: order.id, on: db)
            })
            let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            let data = try #require(json["data"] as? [String: Any])
            #expect(json["type"] as? String == "fulfillment.order" && json["id"] as? String == "evt_1")
            #expect((data["shippingAddress"] as? [String: Any])?["line1"] as? String == "12 Marylebone Road")
            #expect((data["contact"] as? [String: Any])?["email"] as? String == "Ada.Lovelace@example.com")
            let line = try #require((data["lines"] as? [[String: Any]])?.first)
            #expect(line["quantity"] as? Int == 1 && (line["selection"] as? [String: String]) == ["size": "l"])

            // The outbox and every delivery made from it hold ids and amounts only.
            let subscriptions = WebhookSubscriptionStore(cipher: checkouts.cipher, guardrail: AddressGuard(allowPrivate: true))
            try await database.transaction { db in
                try await subscriptions.ensureFulfillment(url: "http://127.0.0.1:9/fulfil", secret: WebhookSigner.newSecret(), on: db)
                // Twice: still one fulfillment subscription.
                try await subscriptions.ensureFulfillment(url: "http://127.0.0.1:9/fulfil", secret: WebhookSigner.newSecret(), on: db)
            }
            _ = try await database.transaction { db in try await EventDeliveryStore().dispatch(subscriptions: subscriptions, on: db) }
            let stored = try await database.withConnection { db in
                (try await db.raw("SELECT payload FROM webhook_deliveries").all(decodingColumn: "payload", as: String.self),
                 try await db.raw("SELECT COUNT(*) AS n FROM webhook_subscriptions WHERE kind = 'fulfillment'").first(decodingColumn: "n", as: Int.self))
            }
            #expect(stored.1 == 1)
            #expect(!stored.0.isEmpty)
            // The admin API cannot point the configured subscription elsewhere, rotate its secret or delete it.
            let configured = try #require(try await database.withConnection { db in
                try await db.raw("SELECT id FROM webhook_subscriptions WHERE kind = 'fulfillment'").first(decodingColumn: "id", as: String.self)
            })
            let input = WebhookSubscriptionInput(url: "https://partner.example/hook", description: nil, eventTypes: ["*"], active: true)
            for change in ["replace", "rotate", "delete"] {
                let refused = await #expect(throws: AtelierError.self) {
                    try await database.transaction { db in
                        switch change {
                        case "replace": _ = try await subscriptions.replace(id: configured, with: input, on: db)
                        case "rotate": _ = try await subscriptions.rotateSecret(id: configured, overlap: 60, on: db)
                        default: try await subscriptions.delete(id: configured, on: db)
                        }
                    }
                }
                #expect(refused?.code.rawValue == "configured_subscription", "\(change)")
            }
            for payload in stored.0 {
                #expect(!payload.contains("Lovelace") && !payload.contains("Marylebone"))
            }
        }
    }

    @Test func reportsMustBeSignedRecentlyWithTheSharedSecret() throws {
        let secret = WebhookSigner.newSecret()
        let body = Array(#"{"type":"fulfillment.update"}"#.utf8)
        let now = Date()
        let time = Int(now.timeIntervalSince1970)
        let signature = try #require(WebhookSigner.signature(secret: secret, id: "msg_1", timestamp: time, body: body))
        try WebhookSigner.verify(secrets: [secret], id: "msg_1", timestamp: String(time), signatures: "v1,bogus " + signature, body: body, now: now)
        #expect(throws: AtelierError.self) {
            try WebhookSigner.verify(secrets: [WebhookSigner.newSecret()], id: "msg_1", timestamp: String(time), signatures: signature,
                                     body: body, now: now)
        }
        #expect(throws: AtelierError.self) {
            try WebhookSigner.verify(secrets: [secret], id: "msg_1", timestamp: String(time), signatures: signature, body: body + [0x20], now: now)
        }
        #expect(throws: AtelierError.self) {
            try WebhookSigner.verify(secrets: [secret], id: "msg_1", timestamp: String(time), signatures: signature, body: body,
                                     now: now.addingTimeInterval(301))
        }
        #expect(throws: AtelierError.self) {
            try WebhookSigner.verify(secrets: [secret], id: nil, timestamp: String(time), signatures: signature, body: body, now: now)
        }
    }
}
