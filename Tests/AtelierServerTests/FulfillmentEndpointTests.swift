import Atelier
@testable import AtelierServer
import AtelierTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import SQLKit
import Testing

/// `POST /webhooks/fulfillment`: signed reports from the fulfillment service, checked like any input.
@Suite struct FulfillmentEndpointTests {
    static let secret = "whsec_" + Data(repeating: 7, count: 32).base64EncodedString()

    /// An app with the demo catalog and a fulfillment service, and no workers (nothing is delivered to it).
    func withFulfillmentApp(_ body: @escaping @Sendable (TestApp) async throws -> Void) async throws {
        try await withApp(configure: {
            $0.server.seedDemoCatalog = true
            $0.server.workers = 0
            $0.delivery.fulfillment = FulfillmentSettings(url: "https://fulfil.example/orders", secret: Self.secret, publicBaseURL: "https://api.shop.example")
        }, body)
    }

    /// A paid order; answers its id and access token.
    func paidOrder(_ app: TestApp) async throws -> (id: String, token: String) {
        let checkouts = CheckoutEndpointTests()
        let key = try await checkouts.cart(app)
        let started = try await checkouts.checkout(app, key: key, idempotencyKey: "fulfil-1").json()
        let token = try #require(started["accessToken"] as? String)
        let checkoutId = try #require((started["checkout"] as? [String: Any])?["id"] as? String)
        let paid = try await app.send(.post, "/checkout/\(checkoutId)/test-payment", json: #"{"outcome": "succeeded"}"#,
                                      headers: [HTTPField.Name("X-Access-Token")!: token]).json()
        return (try #require((paid["checkout"] as? [String: Any])?["orderId"] as? String), token)
    }

    /// Posts a report signed as the fulfillment service signs it.
    func report(_ app: TestApp, _ body: String, id: String = UUID().uuidString) async throws -> TestResponse {
        let time = Int(Date().timeIntervalSince1970)
        let signature = try #require(WebhookSigner.signature(secret: Self.secret, id: id, timestamp: time, body: Array(body.utf8)))
        return try await app.send(.post, "/webhooks/fulfillment", json: body, headers: [
            HTTPField.Name("webhook-id")!: id, HTTPField.Name("webhook-timestamp")!: String(time), HTTPField.Name("webhook-signature")!: signature,
        ])
    }

    func shipped(_ orderId: String, url: String) -> String {
        #"{"type": "fulfillment.update", "data": {"orderId": "\#(orderId)", "status": "shipped", "#
            + #""tracking": {"carrier": "DHL", "number": "JD0001", "url": "\#(url)"}}}"#
    }

    @Test func aSignedReportWithAScriptLinkIsA422AndTheOrderShowsNoLink() async throws {
        try await withFulfillmentApp { app in
            let order = try await paidOrder(app)
            let refused = try await report(app, shipped(order.id, url: "javascript:alert(1)"))
            #expect(refused.status == .unprocessableContent, "\(refused.text)")
            #expect(refused.problemCode == "validation_failed")
            let errors = (try refused.json()["errors"] as? [[String: String]]) ?? []
            #expect(errors.map { "\($0["pointer"] ?? "") \($0["code"] ?? "")" } == ["/data/tracking/url invalid_url"])
            let viewed = try await app.send(.get, "/orders/\(order.id)?token=\(order.token)")
            let view = try viewed.json()
            #expect(view["status"] as? String == "paid" && view["tracking"] == nil)
            #expect(!viewed.text.contains("javascript"))

            // The admin path refuses it with the same check.
            let ops = try await app.makeKey(.operations).token
            for step in ["in_production", "fulfilled"] {
                #expect(try await app.send(.post, "/admin/orders/\(order.id)/transitions", token: ops, json: #"{"to": "\#(step)"}"#).status == .ok)
            }
            let admin = try await app.send(.post, "/admin/orders/\(order.id)/transitions", token: ops,
                                           json: #"{"to": "shipped", "tracking": {"carrier": "DHL", "number": "JD0001", "url": "JavaScript:alert(1)"}}"#)
            #expect(admin.status == .unprocessableContent)
            #expect(((try admin.json()["errors"] as? [[String: String]]) ?? []).map { $0["code"] } == ["invalid_url"])

            // With a web link the report goes through and the shopper sees the link.
            let applied = try await report(app, shipped(order.id, url: "https://dhl.example/JD0001"))
            #expect(applied.status == .ok, "\(applied.text)")
            #expect(try applied.json()["outcome"] as? String == "applied")
            let tracked = try await app.send(.get, "/orders/\(order.id)?token=\(order.token)").json()
            #expect(tracked["status"] as? String == "shipped")
            #expect((tracked["tracking"] as? [String: Any])?["url"] as? String == "https://dhl.example/JD0001")

            // A link stored before the check (or behind its back) is not shown.
            let stored = #"{"carrier":"DHL","number":"JD0001","url":"javascript:alert(1)"}"#
            try await app.database.withConnection { db in
                try await db.raw("UPDATE orders SET tracking = \(bind: stored) WHERE id = \(bind: order.id)").run()
            }
            let legacy = try await app.send(.get, "/orders/\(order.id)?token=\(order.token)")
            #expect((try legacy.json()["tracking"] as? [String: Any])?["number"] as? String == "JD0001")
            #expect(!legacy.text.contains("javascript"))
            let adminView = try await app.send(.get, "/admin/orders/\(order.id)", token: ops)
            #expect(adminView.status == .ok && !adminView.text.contains("javascript"))
        }
    }
}
