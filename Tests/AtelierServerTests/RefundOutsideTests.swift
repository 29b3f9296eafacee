import Atelier
@testable import AtelierServer
import AtelierTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import SQLKit
import Testing

@Suite struct RefundOutsideTests {
    func amount(_ value: Any?) -> Int? { (value as? [String: Any])?["amount"] as? Int }

    @Test func anOrderWhoseProviderIsNotConfiguredIsCancelledWithARefundMadeOutside() async throws {
        try await withApp(configure: { $0.server.seedDemoCatalog = true }) { app in
            // An order paid through Stripe, on a server that has no Stripe (any more): bought with the test provider,
            // then turned into a Stripe order in the database.
            let orderId = try await PrivacyEndpointTests().buy(app, customer: CheckoutEndpointTests.checkoutBody, text: "Hello", image: nil)
            try await app.database.withConnection { db in
                try await db.raw("UPDATE orders SET provider = 'stripe', payment_ref = 'pi_gone' WHERE id = \(bind: orderId)").run()
            }
            let ops = try await app.makeKey(.operations).token
            let path = "/admin/orders/\(orderId)/transitions"

            // Without the flag: no refund is possible here, and the answer says how to record one made outside.
            let refused = try await app.send(.post, path, token: ops, json: #"{"to": "cancelled", "reason": "Out of stock"}"#)
            #expect(refused.status == .conflict)
            #expect(refused.problemCode == "refund_unavailable")
            #expect((try refused.json()["detail"] as? String)?.contains(#""refund": {"outside": true}"#) == true, "\(refused.text)")
            let unchanged = try await app.send(.get, "/admin/orders/\(orderId)", token: ops).json()
            #expect((unchanged["order"] as? [String: Any])?["status"] as? String == "paid")

            // The flag belongs to a cancellation only.
            let misplaced = try await app.send(.post, path, token: ops, json: #"{"to": "in_production", "refund": {"outside": true}}"#)
            #expect(misplaced.status == .unprocessableContent)
            #expect(((try misplaced.json()["errors"] as? [[String: Any]]) ?? []).map { $0["pointer"] as? String } == ["/refund"])

            let cancelled = try await app.send(.post, path, token: ops,
                                               json: #"{"to": "cancelled", "reason": "Out of stock", "refund": {"outside": true}}"#)
            #expect(cancelled.status == .ok, "\(cancelled.text)")
            let body = try cancelled.json()
            let order = try #require(body["order"] as? [String: Any])
            let total = try #require(amount(order["total"]))
            #expect(order["status"] as? String == "cancelled")
            #expect(amount(order["refunded"]) == total)
            let last = (body["audit"] as? [[String: Any]])?.last
            #expect(last?["to"] as? String == "cancelled" && last?["reason"] as? String == "Out of stock")
            let details = last?["details"] as? [String: Any]
            #expect(details?["refundedOutside"] as? String == "true")
            #expect(details?["refunded"] as? String == String(total))

            // The sales reports count the cancellation and its refund as for any other.
            let days = SalesLedger(timeZone: TimeZone(identifier: "UTC")!)
            let (from, to) = (days.day(of: Date().addingTimeInterval(-2 * 86_400)), days.day(of: Date().addingTimeInterval(2 * 86_400)))
            let report = try await app.send(.get, "/reports/sales?from=\(from)&to=\(to)&interval=day", token: app.adminToken)
            #expect(report.status == .ok, "\(report.text)")
            let summary = try report.json()["summary"] as? [String: Any]
            #expect(summary?["cancelledOrders"] as? Int == 1)
            #expect(summary?["refunded"] as? Int == total)
        }
    }
}
