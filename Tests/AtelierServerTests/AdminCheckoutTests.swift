import Atelier
@testable import AtelierServer
import AtelierTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// Staff see every checkout, filter them, cancel a pending one, and read who expired or cancelled what.
@Suite struct AdminCheckoutTests {
    func start(_ app: TestApp, email: String) async throws -> (id: String, token: String) {
        let added = try await app.send(.post, "/cart/items", json: #"""
            {"product": "3d-printed-figurine", "selection": {"size": "large", "material": "resin", "colour": "red"}}
            """#)
        let key = try #require(added.headers[.sessionKey])
        let body = CheckoutEndpointTests.checkoutBody.replacingOccurrences(of: "grace@example.com", with: email)
        let started = try await app.send(.post, "/checkout", json: body,
                                         headers: [.sessionKey: key, HTTPField.Name("Idempotency-Key")!: UUID().uuidString])
        #expect(started.status == .created, "\(started.text)")
        let answer = try started.json()
        let id = try #require((answer["checkout"] as? [String: Any])?["id"] as? String)
        return (id, try #require(answer["accessToken"] as? String))
    }

    @Test func staffListFilterCancelAndReadTheAuditTrail() async throws {
        try await withApp(configure: { $0.server.seedDemoCatalog = true }) { app in
            let ada = try await start(app, email: "ada@example.com")
            let grace = try await start(app, email: "grace@example.com")
            let mine = try await start(app, email: "linus@example.com")
            // One becomes an order, one the shopper cancels, one staff will cancel.
            let paid = try await app.send(.post, "/checkout/\(ada.id)/test-payment?token=\(ada.token)", json: #"{"outcome": "succeeded"}"#)
            #expect(paid.status == .ok, "\(paid.text)")
            #expect(try await app.send(.post, "/checkout/\(grace.id)/cancel?token=\(grace.token)").status == .ok)

            let all = try await app.send(.get, "/admin/checkouts", token: app.adminToken)
            #expect(all.status == .ok, "\(all.text)")
            let items = try #require(try all.json()["items"] as? [[String: Any]])
            #expect(items.map { $0["id"] as? String } == [mine.id, grace.id, ada.id])  // newest first
            #expect(items.map { $0["status"] as? String } == ["pending", "cancelled", "paid"])
            #expect(items.last?["orderId"] as? String != nil)
            #expect(items.first?["email"] as? String == "linus@example.com")

            let pending = try await app.send(.get, "/admin/checkouts?status=pending&provider=test", token: app.adminToken)
            #expect(try (pending.json()["items"] as? [[String: Any]])?.map { $0["id"] as? String } == [mine.id])
            let byEmail = try await app.send(.get, "/admin/checkouts?email=GRACE@example.com", token: app.adminToken)
            #expect(try (byEmail.json()["items"] as? [[String: Any]])?.map { $0["id"] as? String } == [grace.id])
            let older = try await app.send(.get, "/admin/checkouts?to=2000-01-01T00:00:00Z", token: app.adminToken)
            #expect(try (older.json()["items"] as? [[String: Any]])?.isEmpty == true)
            let paged = try await app.send(.get, "/admin/checkouts?limit=2", token: app.adminToken)
            let cursor = try #require(try paged.json()["nextCursor"] as? String)
            let rest = try await app.send(.get, "/admin/checkouts?limit=2&cursor=\(cursor)", token: app.adminToken)
            #expect(try (rest.json()["items"] as? [[String: Any]])?.map { $0["id"] as? String } == [ada.id], "\(paged.text) then \(rest.text)")

            // Operations may cancel; a viewer may only look.
            let viewer = try await app.makeKey(.viewer)
            let operations = try await app.makeKey(.operations)
            #expect(try await app.send(.post, "/admin/checkouts/\(mine.id)/cancel", token: viewer.token, json: #"{"reason": "x"}"#).status == .forbidden)
            let cancelled = try await app.send(.post, "/admin/checkouts/\(mine.id)/cancel", token: operations.token,
                                               json: #"{"reason": "Customer called: wrong size"}"#)
            #expect(cancelled.status == .ok, "\(cancelled.text)")
            let view = try cancelled.json()
            #expect(view["status"] as? String == "cancelled")
            let history = try #require(view["history"] as? [[String: Any]])
            #expect(history.count == 1)
            #expect(history.first?["event"] as? String == "cancelled")
            #expect(history.first?["actorKind"] as? String == "api_key")
            #expect(history.first?["actorId"] as? String == operations.id)
            #expect(history.first?["reason"] as? String == "Customer called: wrong size")
            // The shopper's own cancellation is in the trail too; a paid checkout cannot be cancelled.
            let shoppers = try await app.send(.get, "/admin/checkouts/\(grace.id)", token: viewer.token)
            #expect(try (shoppers.json()["history"] as? [[String: Any]])?.first?["actorKind"] as? String == "shopper")
            let refused = try await app.send(.post, "/admin/checkouts/\(ada.id)/cancel", token: operations.token, json: #"{"reason": "x"}"#)
            #expect(refused.status == .conflict)
            #expect(refused.problemCode == "checkout_paid")
            #expect(try await app.send(.post, "/admin/checkouts/\(mine.id)/cancel", token: operations.token, json: #"{"reason": " "}"#)
                .status == .unprocessableContent)
            #expect(try await app.send(.get, "/admin/checkouts/chk_missing", token: viewer.token).status == .notFound)
        }
    }

    @Test func expiryIsRecordedInTheAuditTrail() async throws {
        try await TestDatabase.with { database in
            let now = Date()
            try await database.transaction { db in
                try await db.raw("""
                    INSERT INTO checkouts (id, cart_id, status, provider, currency, total, snapshot, customer, email_hash, access_token_hash,
                                           expires_at, created_at, updated_at)
                    VALUES ('chk_expiring', 'cart_x', 'pending', 'test', 'USD', 100, '{}', 'sealed', 'h', 'h',
                            \(bind: now.addingTimeInterval(-60)), \(bind: now.addingTimeInterval(-3600)), \(bind: now.addingTimeInterval(-3600)))
                    """).run()
            }
            let expired = try await database.transaction { db in try await CheckoutExpiry().expireOverdue(on: db) }
            #expect(expired == 1)
            let history = try await database.withConnection { db in try await CheckoutAudit.history(checkoutId: "chk_expiring", on: db) }
            #expect(history.map(\.event) == [.expired])
            #expect(history.first?.actor == Actor(.system))
        }
    }
}
