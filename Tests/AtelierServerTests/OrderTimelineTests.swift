import Atelier
@testable import AtelierServer
import AtelierTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// `GET /orders/{id}` with the access token: the shopper reads every step of their order with its time,
/// and nothing of who made it or what staff wrote.
@Suite struct OrderTimelineTests {
    static let entryKeys: Set<String> = ["event", "at", "tracking", "amount"]

    /// A paid order of one resin figurine; answers its id, its access token and its checkout's id.
    func paidOrder(_ app: TestApp) async throws -> (id: String, token: String, checkoutId: String) {
        let checkouts = CheckoutEndpointTests()
        let key = try await checkouts.cart(app)
        let started = try await checkouts.checkout(app, key: key, idempotencyKey: "timeline-1")
        #expect(started.status == .created, "\(started.text)")
        let answer = try started.json()
        let token = try #require(answer["accessToken"] as? String)
        let checkoutId = try #require((answer["checkout"] as? [String: Any])?["id"] as? String)
        let paid = try await app.send(.post, "/checkout/\(checkoutId)/test-payment", json: #"{"outcome": "succeeded"}"#,
                                      headers: [HTTPField.Name("X-Access-Token")!: token])
        #expect(paid.status == .ok, "\(paid.text)")
        let orderId = try #require((try paid.json()["checkout"] as? [String: Any])?["orderId"] as? String)
        return (orderId, token, checkoutId)
    }

    func move(_ app: TestApp, _ orderId: String, token: String, _ body: String) async throws {
        let moved = try await app.send(.post, "/admin/orders/\(orderId)/transitions", token: token, json: body)
        #expect(moved.status == .ok, "\(moved.text)")
    }

    /// Checks that no trace of the audit trail's actors, staff notes or internal details is in `text`.
    func expectNoStaffTraces(_ text: String, keyId: String, secrets: [String]) {
        for trace in [keyId, "actor", "api_key", "payment_provider", "fulfillment_partner", "reason", "details", "eventId"] + secrets {
            #expect(!text.contains(trace), "the shopper's answer mentions \(trace)")
        }
    }

    @Test func theShopperSeesEveryStepInOrderWithTimesAndTrackingButNoStaff() async throws {
        try await withApp(configure: { $0.server.seedDemoCatalog = true }) { app in
            let order = try await paidOrder(app)
            let staff = try await app.makeKey(.operations, name: "Margaret at the packing bench")
            let note = "Glue ran out, Margaret restarts it tomorrow"
            try await move(app, order.id, token: staff.token, #"{"to": "in_production", "reason": "\#(note)"}"#)
            try await move(app, order.id, token: staff.token, #"{"to": "fulfilled"}"#)
            try await move(app, order.id, token: staff.token, #"""
                {"to": "shipped", "tracking": {"carrier": "UPS", "number": "1Z999AA10123456784", "url": "https://ups.example/track/1Z999AA10123456784"}}
                """#)
            // Written to the second, as every answer writes times, so it reads back exactly.
            let deliveredAt = Date().formatted(Date.ISO8601FormatStyle())
            try await move(app, order.id, token: staff.token, #"{"to": "delivered", "deliveredAt": "\#(deliveredAt)"}"#)

            let tracked = try await app.send(.get, "/orders/\(order.id)?token=\(order.token)")
            #expect(tracked.status == .ok, "\(tracked.text)")
            let view = try tracked.json()
            let timeline = try #require(view["timeline"] as? [[String: Any]], "\(tracked.text)")
            #expect(timeline.map { $0["event"] as? String } == ["paid", "in_production", "fulfilled", "shipped", "delivered"])
            let times = timeline.compactMap { $0["at"] as? String }
            #expect(times.count == timeline.count)
            #expect(times.allSatisfy { RFC3339Dates.parse($0) != nil })
            #expect(times == times.sorted(), "steps are not oldest first: \(times)")
            #expect(times.first == view["paidAt"] as? String)
            #expect(times.last == deliveredAt && view["deliveredAt"] as? String == deliveredAt)
            for entry in timeline {
                #expect(Set(entry.keys).isSubset(of: Self.entryKeys), "\(entry)")
                #expect(entry["amount"] == nil)
                #expect((entry["tracking"] != nil) == (entry["event"] as? String == "shipped"))
            }
            let shipment = try #require(timeline.first(where: { $0["event"] as? String == "shipped" })?["tracking"] as? [String: Any])
            #expect(shipment["carrier"] as? String == "UPS")
            #expect(shipment["number"] as? String == "1Z999AA10123456784")
            #expect(shipment["url"] as? String == "https://ups.example/track/1Z999AA10123456784")
            // The existing fields are still there.
            #expect(view["status"] as? String == "delivered")
            #expect((view["tracking"] as? [String: Any])?["number"] as? String == "1Z999AA10123456784")
            expectNoStaffTraces(tracked.text, keyId: staff.id, secrets: ["Margaret", "packing bench", "Glue", order.checkoutId])

            // The header opens it too, with the same story; staff see that story beside their audit trail.
            let byHeader = try await app.send(.get, "/orders/\(order.id)", headers: [HTTPField.Name("X-Access-Token")!: order.token]).json()
            #expect((byHeader["timeline"] as? [[String: Any]])?.count == timeline.count)
            let admin = try await app.send(.get, "/admin/orders/\(order.id)", token: staff.token).json()
            let adminTimeline = ((admin["order"] as? [String: Any])?["timeline"] as? [[String: Any]]) ?? []
            #expect(adminTimeline.map { $0["event"] as? String } == timeline.map { $0["event"] as? String })
            #expect(adminTimeline.map { $0["at"] as? String } == times)
            #expect((admin["audit"] as? [[String: Any]])?.last?["actorId"] as? String == staff.id)
        }
    }

    @Test func aCancelledOrderShowsTheCancellationAndItsRefundButNotTheReason() async throws {
        try await withApp(configure: { $0.server.seedDemoCatalog = true }) { app in
            let order = try await paidOrder(app)
            let staff = try await app.makeKey(.operations, name: "Night shift")
            let reason = "Shopper was rude on the phone, see ticket 4711"
            try await move(app, order.id, token: staff.token, #"{"to": "cancelled", "reason": "\#(reason)"}"#)

            let tracked = try await app.send(.get, "/orders/\(order.id)?token=\(order.token)")
            #expect(tracked.status == .ok, "\(tracked.text)")
            let view = try tracked.json()
            let timeline = try #require(view["timeline"] as? [[String: Any]], "\(tracked.text)")
            #expect(timeline.map { $0["event"] as? String } == ["paid", "cancelled", "refunded"])
            let total = try #require((view["total"] as? [String: Any])?["amount"] as? Int)
            let refund = try #require(timeline.last?["amount"] as? [String: Any])
            #expect(refund["amount"] as? Int == total)
            #expect(refund["currency"] as? String == "USD")
            #expect(timeline.last?["at"] as? String == timeline[1]["at"] as? String)
            #expect(timeline.dropLast().allSatisfy { $0["amount"] == nil && $0["tracking"] == nil })
            for entry in timeline { #expect(Set(entry.keys).isSubset(of: Self.entryKeys), "\(entry)") }
            #expect((view["refunded"] as? [String: Any])?["amount"] as? Int == total)
            expectNoStaffTraces(tracked.text, keyId: staff.id, secrets: ["rude", "4711", "Night shift", order.checkoutId])
        }
    }
}
