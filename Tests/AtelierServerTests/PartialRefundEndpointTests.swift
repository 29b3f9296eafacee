import Atelier
@testable import AtelierServer
import AtelierTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import SQLKit
import Testing

@Suite struct PartialRefundEndpointTests {
    func amount(_ value: Any?) -> Int? { (value as? [String: Any])?["amount"] as? Int }

    @Test func staffRefundPartOfAnOrderAndSeeEveryRefundWithWhatIsLeft() async throws {
        try await withApp(configure: { $0.server.seedDemoCatalog = true }) { app in
            let orderId = try await PrivacyEndpointTests().buy(app, customer: CheckoutEndpointTests.checkoutBody, text: "Hello", image: nil)
            let (ops, viewer) = (try await app.makeKey(.operations).token, try await app.makeKey(.viewer).token)
            let path = "/admin/orders/\(orderId)/refunds"
            let bought = try await app.send(.get, "/admin/orders/\(orderId)", token: viewer).json()
            let total = try #require(amount((bought["order"] as? [String: Any])?["total"]))
            #expect(amount(bought["refundable"]) == total)
            #expect((bought["refunds"] as? [Any])?.isEmpty == true)

            // Operations and admins refund; viewers read; nobody anonymous.
            #expect(try await app.send(.post, path, json: #"{"amount": 100, "reason": "x"}"#).status == .unauthorized)
            #expect(try await app.send(.post, path, token: viewer, json: #"{"amount": 100, "reason": "x"}"#).status == .forbidden)
            let first = try await app.send(.post, path, token: ops,
                                           json: #"{"amount": 500, "reason": "Scratched print", "lines": [{"index": 0, "quantity": 1}]}"#)
            #expect(first.status == .created, "\(first.text)")
            let refund = try first.json()
            let firstId = try #require(refund["id"] as? String)
            #expect(firstId.hasPrefix("ref_") && refund["kind"] as? String == "partial" && amount(refund["amount"]) == 500)
            // The built-in test provider holds no money: its refunds succeed as they are decided.
            #expect(refund["status"] as? String == "succeeded" && refund["outside"] as? Bool == false)
            #expect(refund["reason"] as? String == "Scratched print" && refund["createdAt"] is String && refund["completedAt"] is String)
            #expect((refund["lines"] as? [[String: Any]])?.map { [$0["index"] as? Int, $0["quantity"] as? Int] } == [[0, 1]])
            let second = try await app.send(.post, path, token: app.adminToken, json: #"{"amount": 250, "reason": "Shipped late"}"#)
            #expect(second.status == .created, "\(second.text)")
            let secondId = try #require(try second.json()["id"] as? String)

            // More than is left is refused, saying how much is left; bad input lists every problem; no such order is 404.
            let over = try await app.send(.post, path, token: ops, json: #"{"amount": \#(total - 749), "reason": "Too much"}"#)
            #expect(over.status == .conflict && over.problemCode == "refund_exceeds_remaining", "\(over.text)")
            #expect(try over.json()["refundable"] as? Int == total - 750)
            let bad = try await app.send(.post, path, token: ops, json: #"{"amount": 0, "reason": " ", "lines": [{"index": 0, "quantity": 0}]}"#)
            #expect(bad.status == .unprocessableContent && bad.problemCode == "validation_failed", "\(bad.text)")
            #expect(((try bad.json()["errors"] as? [[String: Any]]) ?? []).map { $0["pointer"] as? String }
                == ["/amount", "/reason", "/lines/0/quantity"])
            let unknownLine = try await app.send(.post, path, token: ops, json: #"{"amount": 1, "reason": "x", "lines": [{"index": 7, "quantity": 1}]}"#)
            #expect(((try unknownLine.json()["errors"] as? [[String: Any]]) ?? []).map { $0["code"] as? String } == ["unknown_line"])
            let missing = try await app.send(.post, "/admin/orders/ord_00000000000000000000000000/refunds", token: ops,
                                             json: #"{"amount": 1, "reason": "x"}"#)
            #expect(missing.status == .notFound)

            // The order lists every refund and what is left; the audit trail and the shopper's timeline record them.
            let detail = try await app.send(.get, "/admin/orders/\(orderId)", token: viewer).json()
            let refunds = try #require(detail["refunds"] as? [[String: Any]])
            #expect(refunds.map { $0["id"] as? String } == [firstId, secondId])
            #expect(refunds.map { amount($0["amount"]) } == [500, 250])
            #expect(refunds.allSatisfy { $0["status"] as? String == "succeeded" })
            #expect(amount(detail["refundable"]) == total - 750)
            let order = try #require(detail["order"] as? [String: Any])
            #expect(amount(order["refunded"]) == 750)
            let noted = (detail["audit"] as? [[String: Any]])?.last
            #expect(noted?["from"] as? String == "paid" && noted?["to"] as? String == "paid" && noted?["reason"] as? String == "Shipped late")
            let details = noted?["details"] as? [String: Any]
            #expect(details?["refund"] as? String == secondId && details?["refunded"] as? String == "250")
            #expect((order["timeline"] as? [[String: Any]])?.map { $0["event"] as? String } == ["paid", "refunded", "refunded"])

            // Cancelling gives back the rest; nothing is left to refund after it.
            let cancelled = try await app.send(.post, "/admin/orders/\(orderId)/transitions", token: ops,
                                               json: #"{"to": "cancelled", "reason": "Customer asked"}"#)
            #expect(cancelled.status == .ok, "\(cancelled.text)")
            let after = try cancelled.json()
            #expect(amount((after["order"] as? [String: Any])?["refunded"]) == total)
            #expect(amount(after["refundable"]) == 0)
            let all = after["refunds"] as? [[String: Any]] ?? []
            #expect(all.map { $0["kind"] as? String } == ["partial", "partial", "cancellation"])
            #expect(amount(all.last?["amount"]) == total - 750)
            let refused = try await app.send(.post, path, token: ops, json: #"{"amount": 1, "reason": "More"}"#)
            #expect(refused.status == .conflict && refused.problemCode == "order_cancelled", "\(refused.text)")

            // The reports count every refund of the order on the day it was paid.
            let days = SalesLedger(timeZone: TimeZone(identifier: "UTC")!)
            let (from, to) = (days.day(of: Date().addingTimeInterval(-2 * 86_400)), days.day(of: Date().addingTimeInterval(2 * 86_400)))
            let report = try await app.send(.get, "/reports/sales?from=\(from)&to=\(to)&interval=day", token: viewer)
            let summary = try report.json()["summary"] as? [String: Any]
            #expect(summary?["refunded"] as? Int == total && summary?["cancelledOrders"] as? Int == 1)

            let metrics = try await app.send(.get, "/metrics").text
            #expect(metrics.contains(#"atelier_refunds{status="pending"} 0"#) && metrics.contains(#"atelier_refunds{status="failed"} 0"#))
        }
    }

    @Test func anOrderWhoseProviderIsNotConfiguredIsRefundedOnlyAsMadeOutside() async throws {
        try await withApp(configure: { $0.server.seedDemoCatalog = true }) { app in
            let orderId = try await PrivacyEndpointTests().buy(app, customer: CheckoutEndpointTests.checkoutBody, text: "Hello", image: nil)
            try await app.database.withConnection { db in
                try await db.raw("UPDATE orders SET provider = 'stripe', payment_ref = 'pi_gone' WHERE id = \(bind: orderId)").run()
            }
            let ops = try await app.makeKey(.operations).token
            let path = "/admin/orders/\(orderId)/refunds"
            let refused = try await app.send(.post, path, token: ops, json: #"{"amount": 300, "reason": "Faded"}"#)
            #expect(refused.status == .conflict && refused.problemCode == "refund_unavailable", "\(refused.text)")
            #expect((try refused.json()["detail"] as? String)?.contains(#""outside": true"#) == true)
            let outside = try await app.send(.post, path, token: ops, json: #"{"amount": 300, "reason": "Faded", "outside": true}"#)
            #expect(outside.status == .created, "\(outside.text)")
            let refund = try outside.json()
            #expect(refund["status"] as? String == "succeeded" && refund["outside"] as? Bool == true)
            let detail = try await app.send(.get, "/admin/orders/\(orderId)", token: ops).json()
            #expect(amount((detail["order"] as? [String: Any])?["refunded"]) == 300)
            let details = (detail["audit"] as? [[String: Any]])?.last?["details"] as? [String: Any]
            #expect(details?["refundedOutside"] as? String == "true" && details?["refunded"] as? String == "300")
        }
    }
}
