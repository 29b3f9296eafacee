import AtelierCore
import AtelierAssets
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import AtelierDelivery
import Foundation
import Logging
import SQLKit

extension PrivacyRequests {

    /// Everything held about `email`, as one JSON object (sorted keys); the request is recorded.
    public func export(email: String, actorId: String?) async throws -> Data {
        let hash = cipher.lookupHash(email: email)
        let audit = auditHash(email: email)
        let now = clock.now
        let requestId = Identifier.make(prefix: "prv", at: now)
        let cipher = self.cipher
        typealias J = ExportJSON
        return try await database.transaction { db in
            let subject = try await self.subject(emailHash: hash, on: db)
            var document: [String: Any] = ["email": email, "generatedAt": now.ISO8601Format(), "requestId": requestId]
            var orders: [[String: Any]] = []
            for row in subject.orders {
                let id = try row.decode(column: "id", as: String.self)
                let transitions = try await OrderStore().transitions(orderId: id, on: db).map { transition -> [String: Any] in
                    ["at": transition.at.ISO8601Format(), "from": transition.from?.rawValue ?? NSNull(), "to": transition.to.rawValue,
                     "reason": transition.reason ?? NSNull(), "details": transition.details]
                }
                orders.append([
                    "id": id, "number": J.text(row, "number"), "status": J.text(row, "status"), "currency": J.text(row, "currency"),
                    "subtotal": J.number(row, "subtotal"), "shipping": J.number(row, "shipping"), "tax": J.number(row, "tax"),
                    "total": J.number(row, "total"), "refunded": J.number(row, "refunded"), "paidAt": J.date(row, "paid_at"),
                    "createdAt": J.date(row, "created_at"), "tracking": J.json(try row.decode(column: "tracking", as: String?.self)),
                    "customer": J.customer(row, cipher), "order": J.encoded(try snapshot(row)), "history": transitions,
                ])
            }
            document["orders"] = orders
            document["checkouts"] = try subject.checkouts.map { row -> [String: Any] in
                ["id": J.text(row, "id"), "status": J.text(row, "status"), "provider": J.text(row, "provider"), "total": J.number(row, "total"),
                 "currency": J.text(row, "currency"), "orderId": J.text(row, "order_id"), "createdAt": J.date(row, "created_at"),
                 "customer": J.customer(row, cipher), "cart": J.encoded(try snapshot(row))]
            }
            var carts: [[String: Any]] = []
            for cartId in subject.cartIds {
                guard let cart = try await db.select().column("*").from("carts").where("id", .equal, cartId).first() else { continue }
                let lines = try await db.select().column("*").from("cart_lines").where("cart_id", .equal, cartId).orderBy("position").all()
                carts.append(["id": cartId, "createdAt": J.date(cart, "created_at"), "updatedAt": J.date(cart, "updated_at"),
                              "lines": lines.map { line -> [String: Any] in
                                  ["productId": J.text(line, "product_id"), "quantity": J.number(line, "quantity"), "customization": J.json(try? line.decode(column: "state", as: String.self)),
                                   "sessionId": J.text(line, "session_id"), "previewAssetId": J.text(line, "preview_asset_id")]
                              }])
            }
            document["carts"] = carts
            document["sessions"] = subject.sessionIds.isEmpty ? [[String: Any]]() : try await db.select().column("*").from("customization_sessions")
                .where("id", .in, subject.sessionIds).all().map { row -> [String: Any] in
                    ["id": J.text(row, "id"), "productId": J.text(row, "product_id"), "customization": J.json(try? row.decode(column: "state", as: String.self)),
                     "createdAt": J.date(row, "created_at"), "updatedAt": J.date(row, "updated_at")]
                }
            document["assets"] = subject.assetIds.isEmpty ? [[String: Any]]() : try await db.select().column("*").from("assets")
                .where("id", .in, Array(subject.assetIds).sorted()).all().map { row -> [String: Any] in
                    ["id": J.text(row, "id"), "kind": J.text(row, "kind"), "type": J.text(row, "type"), "bytes": J.number(row, "bytes"),
                     "width": J.number(row, "width"), "height": J.number(row, "height"), "createdAt": J.date(row, "created_at"),
                     "url": "/assets/" + ((try? row.decode(column: "id", as: String.self)) ?? "")]
                }
            document["paymentEvents"] = subject.checkoutIds.isEmpty ? [[String: Any]]() : try await db.select().column("*").from("payment_events")
                .where("checkout_id", .in, subject.checkoutIds).orderBy("received_at").all().map { row -> [String: Any] in
                    ["provider": J.text(row, "provider"), "eventId": J.text(row, "event_id"), "type": J.text(row, "type"), "checkoutId": J.text(row, "checkout_id"),
                     "amount": J.number(row, "amount"), "currency": J.text(row, "currency"), "outcome": J.text(row, "outcome"),
                     "receivedAt": J.date(row, "received_at"), "payload": J.json(try? row.decode(column: "payload", as: String.self))]
                }
            document["events"] = subject.orderIds.isEmpty ? [[String: Any]]() : try await db.select().columns("id", "type", "payload", "created_at").from("outbox")
                .where("aggregate_id", .in, subject.orderIds).orderBy("seq").all().map { row -> [String: Any] in
                    ["id": J.text(row, "id"), "type": J.text(row, "type"), "createdAt": J.date(row, "created_at"),
                     "payload": J.json(try? row.decode(column: "payload", as: String.self))]
                }
            let deliveries: [any SQLRow] = subject.eventIds.isEmpty ? [] : try await db.raw("""
                SELECT d.event_id, d.event_type, d.status, d.attempts, d.payload, d.created_at, d.completed_at, s.kind, s.url
                FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id
                WHERE d.event_id IN (\(binds: subject.eventIds))
                ORDER BY d.seq
                """).all()
            document["emails"] = deliveries.filter { (try? $0.decode(column: "kind", as: String.self)) == "mail" }.map { row -> [String: Any] in
                ["eventId": J.text(row, "event_id"), "eventType": J.text(row, "event_type"), "status": J.text(row, "status"),
                 "createdAt": J.date(row, "created_at"), "sentAt": J.date(row, "completed_at")]
            }
            document["webhookDeliveries"] = deliveries.filter { (try? $0.decode(column: "kind", as: String.self)) != "mail" }.map { row -> [String: Any] in
                ["eventId": J.text(row, "event_id"), "eventType": J.text(row, "event_type"), "receiver": J.text(row, "url"), "kind": J.text(row, "kind"),
                 "status": J.text(row, "status"), "attempts": J.number(row, "attempts"), "createdAt": J.date(row, "created_at"),
                 "payload": J.json(try? row.decode(column: "payload", as: String.self))]
            }
            document["privacyRequests"] = try await db.raw("SELECT id, kind, summary, created_at FROM privacy_requests WHERE email_hash = \(bind: audit) ORDER BY id")
                .all().map { row -> [String: Any] in
                    ["id": J.text(row, "id"), "kind": J.text(row, "kind"), "createdAt": J.date(row, "created_at"),
                     "summary": J.json(try? row.decode(column: "summary", as: String.self))]
                }
            let summary = ["orders": subject.orders.count, "checkouts": subject.checkouts.count, "carts": carts.count]
            try await record(requestId, kind: "export", emailHash: audit, actorId: actorId, summary: try Coding.encode(summary), at: now, on: db)
            return try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])
        }
    }

/// Turns stored rows into JSON values for the export document.
    enum ExportJSON {
        static func json(_ text: String?) -> Any {
            guard let text, let value = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) else { return NSNull() }
            return value
        }
        static func encoded<T: Encodable>(_ value: T) -> Any { json(try? Coding.encode(value)) }
        static func date(_ row: any SQLRow, _ column: String) -> Any {
            (try? row.decode(column: column, as: Date?.self)).flatMap { $0 }.map { $0.ISO8601Format() } ?? NSNull()
        }
        static func text(_ row: any SQLRow, _ column: String) -> Any { (try? row.decode(column: column, as: String?.self)).flatMap { $0 } ?? NSNull() }
        static func number(_ row: any SQLRow, _ column: String) -> Any { (try? row.decode(column: column, as: Int64?.self)).flatMap { $0 } ?? NSNull() }
        static func customer(_ row: any SQLRow, _ cipher: PersonalDataCipher) -> Any {
            guard let sealed = try? row.decode(column: "customer", as: String.self),
                  let details = try? cipher.open(json: sealed, as: CustomerDetails.self) else { return NSNull() }
            return encoded(details)
        }
    }
}
