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

    /// Erases what is held about `email` (see the type's documentation); idempotent.
    public func erase(email: String, actorId: String?) async throws -> ErasureSummary {
        try await erase(emailHash: cipher.lookupHash(email: email), auditHash: auditHash(email: email), actorId: actorId)
    }

    /// The audit log's own keyed hash of an email: it proves a request for an email when asked with the email,
    /// yet joins with nothing else (the lookup hash on orders is gone after an erasure).
    func auditHash(email: String) -> String {
        cipher.lookupHash(email: "privacy-audit:" + email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased())
    }

    func erase(emailHash hash: String, auditHash: String, onlyOrder: String? = nil, actorId: String?) async throws -> ErasureSummary {
        let now = clock.now
        var summary = ErasureSummary(requestId: Identifier.make(prefix: "prv", at: now))
        let subject = try await database.withConnection { db in try await self.subject(emailHash: hash, onlyOrder: onlyOrder, on: db) }
        let open = Set(subject.orders.filter { Self.openStatuses.contains((try? $0.decode(column: "status", as: String.self)) ?? "") }
            .compactMap { try? $0.decode(column: "id", as: String.self) })
        // What open orders still need stays until they ship.
        var keep = Set<String>()
        for row in subject.orders where open.contains((try? row.decode(column: "id", as: String.self)) ?? "") {
            keep.formUnion(try snapshot(row).assetIds)
        }
        let closedOrders = subject.orderIds.filter { !open.contains($0) }
        let closedEvents = try await database.withConnection { db in
            closedOrders.isEmpty ? [] : try await db.select().column("id").from("outbox").where("aggregate_id", .in, closedOrders)
                .all(decodingColumn: "id", as: String.self)
        }
        // Files first, then rows: a crash in between leaves the rows, so running the erasure again finishes it.
        let assets = try await deletableAssets(subject.assetIds.subtracting(keep), exceptOrders: Set(subject.orderIds),
                                               exceptCarts: subject.cartIds, exceptSessions: subject.sessionIds)
        for asset in assets.sorted() { try await storage.delete(key: String(asset.dropFirst(Asset.prefix.count))) }
        summary.emailCopiesDeleted = deleteMailCopies(eventIds: closedEvents)
        summary.ordersPending = open.count

        let counted = summary
        return try await database.transaction { db in
            var summary = counted
            for row in subject.orders {
                let id = try row.decode(column: "id", as: String.self)
                if open.contains(id) {
                    try await db.raw("""
                        INSERT INTO pending_erasures (order_id, request_id, created_at) VALUES (\(bind: id), \(bind: summary.requestId), \(bind: now))
                        ON CONFLICT (order_id) DO NOTHING
                        """).run()
                    continue
                }
                try await eraseOrder(row, placeholder: try placeholder(for: row), on: db)
                summary.ordersErased += 1
            }
            for row in subject.checkouts {
                let id = try row.decode(column: "id", as: String.self)
                if let order = try row.decode(column: "order_id", as: String?.self), open.contains(order) { continue }
                let erased = try Coding.encode(erasedSnapshot(try snapshot(row)))
                try await db.raw("""
                    UPDATE checkouts SET customer = \(bind: try placeholder(for: row)), email_hash = 'erased', snapshot = \(bind: erased),
                        access_token_sealed = NULL, client_secret = NULL, approval_url = NULL WHERE id = \(bind: id)
                    """).run()
                summary.checkoutsErased += 1
                summary.paymentEventsErased += try await db.raw("""
                    UPDATE payment_events SET payload = '{"erased":true}' WHERE checkout_id = \(bind: id) AND payload <> '{"erased":true}' RETURNING event_id
                    """).all().count
                // Stored answers of POST /checkout, replayed on a retry, carry the checkout.
                // Sealed answers name their checkout in `subject`; older plain ones mention it.
                try await db.raw("DELETE FROM idempotency_keys WHERE subject = \(bind: id) OR response LIKE \(bind: "%" + id + "%")").run()
            }
            if !subject.sessionIds.isEmpty {
                let jobs = try await db.select().column("preview_job_id").from("customization_sessions").where("id", .in, subject.sessionIds)
                    .all().compactMap { try $0.decode(column: "preview_job_id", as: String?.self) }
                if !jobs.isEmpty { try await db.delete(from: "jobs").where("id", .in, jobs).run() }
                summary.sessionsDeleted = try await db.delete(from: "customization_sessions").where("id", .in, subject.sessionIds).returning("id").all().count
            }
            if !subject.cartIds.isEmpty {
                try await db.delete(from: "cart_lines").where("cart_id", .in, subject.cartIds).run()
                summary.cartsDeleted = try await db.delete(from: "carts").where("id", .in, subject.cartIds).returning("id").all().count
            }
            if !assets.isEmpty {
                try await db.delete(from: "order_assets").where("asset_id", .in, Array(assets)).run()
                try await db.delete(from: "catalog_media").where("asset_id", .in, Array(assets)).run()
                summary.assetsDeleted = try await db.delete(from: "assets").where("id", .in, Array(assets)).returning("id").all().count
            }
            try await record(summary.requestId, kind: "erase", emailHash: auditHash, actorId: actorId, summary: try Coding.encode(summary), at: now, on: db)
            return summary
        }
    }

    /// Open orders of erased customers that have since shipped, been delivered or cancelled: erased now.
    public func erasePending() async throws -> Int {
        let due = try await database.withConnection { db in
            try await db.raw("""
                SELECT p.order_id, o.email_hash, r.email_hash AS audit_hash FROM pending_erasures p JOIN orders o ON o.id = p.order_id
                JOIN privacy_requests r ON r.id = p.request_id WHERE o.status IN ('shipped', 'delivered', 'cancelled') ORDER BY p.order_id LIMIT 500
                """).all()
        }
        var done = 0
        for row in due {
            let orderId = try row.decode(column: "order_id", as: String.self)
            let hash = try row.decode(column: "email_hash", as: String.self)
            let audit = try row.decode(column: "audit_hash", as: String.self)
            if hash != "erased" {
                // This order alone: later orders of the same shopper are theirs to ask about again.
                _ = try await erase(emailHash: hash, auditHash: audit, onlyOrder: orderId, actorId: nil)
            }
            try await database.transaction { db in try await db.delete(from: "pending_erasures").where("order_id", .equal, orderId).run() }
            done += 1
        }
        return done
    }

    func erasedSnapshot(_ snapshot: CheckoutSnapshot) -> CheckoutSnapshot {
        var copy = snapshot
        for index in copy.lines.indices {
            copy.lines[index].state = copy.lines[index].state.erased
            copy.lines[index].previewAssetId = nil
        }
        return copy
    }

    func eraseOrder(_ row: any SQLRow, placeholder: String, on db: any SQLDatabase) async throws {
        let id = try row.decode(column: "id", as: String.self)
        let erased = try Coding.encode(erasedSnapshot(try snapshot(row)))
        try await db.raw("""
            UPDATE orders SET customer = \(bind: placeholder), email_hash = 'erased', snapshot = \(bind: erased) WHERE id = \(bind: id)
            """).run()
        // The erased order uses no image any more; a shared one stays while another order lists it.
        try await db.delete(from: "order_assets").where("order_id", .equal, id).run()
    }

    /// The sealed placeholder that replaces a row's customer: the country and region stay, for tax.
    func placeholder(for row: any SQLRow) throws -> String {
        let original = try? cipher.open(json: try row.decode(column: "customer", as: String.self), as: CustomerDetails.self)
        return try cipher.seal(json: Self.placeholder(country: original?.shippingAddress.country ?? "", region: original?.shippingAddress.region))
    }

    static func placeholder(country: String, region: String?) -> CustomerDetails {
        CustomerDetails(email: "erased@erased.invalid", name: "Erased", phone: nil,
                        shippingAddress: .init(name: "Erased", line1: "erased", line2: nil, city: "erased", region: region, postalCode: "",
                                               country: country))
    }

    /// Of `candidates`, the assets nobody else uses: no other order, cart or session refers to them.
    func deletableAssets(_ candidates: Set<String>, exceptOrders: Set<String>, exceptCarts: [String], exceptSessions: [String]) async throws -> Set<String> {
        guard !candidates.isEmpty else { return [] }
        return try await database.withConnection { db in
            var deletable = Set<String>()
            // The catalog's images stay while a product or a template version shows them.
            let catalog = try await CatalogImageUse.used(candidates, on: db)
            for asset in candidates.subtracting(catalog).sorted() {
                let orders = try await db.select().column("order_id").from("order_assets").where("asset_id", .equal, asset).all(decodingColumn: "order_id", as: String.self)
                if orders.contains(where: { !exceptOrders.contains($0) }) { continue }
                let pattern = "%\"" + asset + "\"%"
                let lines = try await db.raw("""
                    SELECT cart_id FROM cart_lines WHERE preview_asset_id = \(bind: asset) OR state LIKE \(bind: pattern)
                    """).all(decodingColumn: "cart_id", as: String.self)
                if lines.contains(where: { !exceptCarts.contains($0) }) { continue }
                let sessions = try await db.raw("SELECT id FROM customization_sessions WHERE state LIKE \(bind: pattern)")
                    .all(decodingColumn: "id", as: String.self)
                if sessions.contains(where: { !exceptSessions.contains($0) }) { continue }
                deletable.insert(asset)
            }
            return deletable
        }
    }

    /// Deletes the copies of the emails these events caused (sealed, or plain from before); answers how many.
    func deleteMailCopies(eventIds: [String]) -> Int {
        guard let mailFolder, !eventIds.isEmpty,
              let names = try? FileManager.default.contentsOfDirectory(atPath: mailFolder) else { return 0 }
        let ids = eventIds.map { $0.filter { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" } }
        var deleted = 0
        for name in names where FileMailTransport.isCopy(name) && ids.contains(where: { name.contains($0) }) {
            if (try? FileManager.default.removeItem(atPath: mailFolder + "/" + name)) != nil { deleted += 1 }
        }
        return deleted
    }
}
