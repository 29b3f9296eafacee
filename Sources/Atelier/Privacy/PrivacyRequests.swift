import Foundation
import Logging
import SQLKit

/// Export and erasure of everything held about one email address (GDPR articles 15 and 17, CCPA).
///
/// A person is found by the keyed hash of their email on checkouts and orders; from there, their carts
/// (the checkouts' carts), customization sessions (the carts' lines), uploaded images and previews, payment
/// provider events, order events and their webhook and email deliveries, and the `.eml` copies of the
/// emails sent.
///
/// Erasure keeps the accounting record — amounts, tax, lines, statuses, the audit trail — and replaces the
/// contact details with a placeholder (only the country and region stay, for tax), the shopper's texts with
/// `[erased]`, and the lookup hash with `erased`; it deletes carts, sessions, the shopper's images and
/// previews (unless someone else's cart or order uses the same bytes), provider payloads, stored checkout
/// answers and email copies. An order not yet shipped still needs the address, texts and images to be made
/// and sent: it is erased when it ships or is cancelled (`pending_erasures`, done by the retention job).
/// Every request is written to `privacy_requests` with the keyed hash, never the email. Running an erasure
/// again finds nothing left and changes nothing.
public struct PrivacyRequests: Sendable {
    public struct ErasureSummary: Sendable, Codable, Equatable {
        public var requestId: String
        public var ordersErased = 0
        /// Open orders kept until they ship or are cancelled.
        public var ordersPending = 0
        public var checkoutsErased = 0
        public var cartsDeleted = 0
        public var sessionsDeleted = 0
        public var assetsDeleted = 0
        public var paymentEventsErased = 0
        public var emailCopiesDeleted = 0
    }

    static let openStatuses: Set<String> = ["pending_payment", "paid", "in_production", "fulfilled"]

    let database: any DatabaseClient
    let cipher: PersonalDataCipher
    let storage: any AssetStorage
    /// Where `.eml` copies of sent emails are kept (nil: sent by SMTP, no copies).
    let mailFolder: String?
    let clock: WallClock

    /// With the mail folder of `configuration` (when emails are kept as `.eml` files).
    public init(configuration: AtelierConfiguration, database: any DatabaseClient, cipher: PersonalDataCipher, storage: any AssetStorage,
                clock: WallClock = .system) {
        var folder: String?
        if case .files(let path) = configuration.mail?.transport { folder = path }
        self.init(database: database, cipher: cipher, storage: storage, mailFolder: folder, clock: clock)
    }

    public init(database: any DatabaseClient, cipher: PersonalDataCipher, storage: any AssetStorage, mailFolder: String?,
                clock: WallClock = .system) {
        self.database = database
        self.cipher = cipher
        self.storage = storage
        self.mailFolder = mailFolder
        self.clock = clock
    }

    /// What is held about one person, found by the email's keyed hash.
    struct Subject {
        var orders: [any SQLRow] = []
        var checkouts: [any SQLRow] = []
        var cartIds: [String] = []
        var sessionIds: [String] = []
        var assetIds: Set<String> = []
        var eventIds: [String] = []

        var orderIds: [String] { orders.compactMap { try? $0.decode(column: "id", as: String.self) } }
        var checkoutIds: [String] { checkouts.compactMap { try? $0.decode(column: "id", as: String.self) } }
    }

    /// `onlyOrder`: just that order with its checkout, cart and sessions (a pending erasure whose order shipped).
    func subject(emailHash: String, onlyOrder: String? = nil, on db: any SQLDatabase) async throws -> Subject {
        var subject = Subject()
        subject.orders = try await db.raw("SELECT * FROM orders WHERE email_hash = \(bind: emailHash) ORDER BY id").all()
        subject.checkouts = try await db.raw("SELECT * FROM checkouts WHERE email_hash = \(bind: emailHash) ORDER BY id").all()
        if let onlyOrder {
            subject.orders = subject.orders.filter { (try? $0.decode(column: "id", as: String.self)) == onlyOrder }
            subject.checkouts = subject.checkouts.filter { (try? $0.decode(column: "order_id", as: String?.self)) == onlyOrder }
        }
        subject.cartIds = Array(Set(subject.checkouts.compactMap { try? $0.decode(column: "cart_id", as: String.self) })).sorted()
        for row in subject.orders + subject.checkouts {
            let snapshot = try snapshot(row)
            subject.assetIds.formUnion(snapshot.assetIds)
            subject.sessionIds.append(contentsOf: snapshot.lines.compactMap(\.sessionId))
        }
        if !subject.cartIds.isEmpty {
            for line in try await db.select().columns("state", "session_id", "preview_asset_id").from("cart_lines")
                .where("cart_id", .in, subject.cartIds).all() {
                if let session = try line.decode(column: "session_id", as: String?.self) { subject.sessionIds.append(session) }
                if let preview = try line.decode(column: "preview_asset_id", as: String?.self) { subject.assetIds.insert(preview) }
                subject.assetIds.formUnion(try Self.state(try line.decode(column: "state", as: String.self)).assetIds)
            }
        }
        subject.sessionIds = Array(Set(subject.sessionIds)).sorted()
        if !subject.sessionIds.isEmpty {
            for session in try await db.select().columns("state").from("customization_sessions").where("id", .in, subject.sessionIds).all() {
                subject.assetIds.formUnion(try Self.state(try session.decode(column: "state", as: String.self)).assetIds)
            }
        }
        if !subject.orderIds.isEmpty {
            subject.eventIds = try await db.select().column("id").from("outbox").where("aggregate_id", .in, subject.orderIds)
                .orderBy("seq").all(decodingColumn: "id", as: String.self)
        }
        subject.assetIds.remove("erased")
        return subject
    }

    func snapshot(_ row: any SQLRow) throws -> CheckoutSnapshot {
        try Coding.decoder.decode(CheckoutSnapshot.self, from: Data(try row.decode(column: "snapshot", as: String.self).utf8))
    }

    static func state(_ text: String) throws -> CustomizationState {
        try Coding.decoder.decode(CustomizationState.self, from: Data(text.utf8))
    }

    // MARK: export

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

    func record(_ id: String, kind: String, emailHash: String, actorId: String?, summary: String, at: Date, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO privacy_requests (id, kind, email_hash, actor_id, summary, created_at)
            VALUES (\(bind: id), \(bind: kind), \(bind: emailHash), \(bind: actorId), \(bind: summary), \(bind: at))
            """).run()
    }

    // MARK: erasure

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
            for asset in candidates.sorted() {
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

/// How long what nobody needs any more is kept. Carts and customization sessions are deleted when they
/// expire (`ATELIER_CART_TTL_SECONDS`, `ATELIER_SESSION_TTL_SECONDS`) by the sessions job.
public struct RetentionSettings: Sendable, Equatable {
    /// Expired or cancelled checkouts that never became an order (their sealed contact data included), and
    /// the stored answers of checkout requests.
    public var checkoutDays = 30
    /// Uploads and previews no order, cart, session or open checkout uses: hours, so that anonymous
    /// uploads nobody went on to use do not pile up.
    public var assetHours = 6
    /// `.eml` copies of sent emails.
    public var mailDays = 90

    public init() {}
}

/// Deletes what the retention periods have run out for, and erases orders of erased customers once they
/// have shipped; queued every hour.
public enum RetentionJobs {
    public static let kind = "privacy.retention"

    public static func handler(database: any DatabaseClient, privacy: PrivacyRequests, settings: RetentionSettings, clock: WallClock) -> JobHandler {
        JobHandler(kind: kind) { _ in
            let pending = try await privacy.erasePending()
            let (checkouts, assets, mail) = try await privacy.applyRetention(settings)
            return "erased \(pending) shipped order(s) of erased customers; deleted \(checkouts) abandoned checkout(s), \(assets) unused asset(s), \(mail) email cop(ies)"
        }
    }
}

extension PrivacyRequests {
    /// One round of retention: abandoned checkouts, unused assets (at most 500 a round), old email copies.
    public func applyRetention(_ settings: RetentionSettings) async throws -> (checkouts: Int, assets: Int, mail: Int) {
        let now = clock.now
        let checkoutCutoff = now.addingTimeInterval(-Double(settings.checkoutDays) * 86_400)
        let checkouts = try await database.transaction { db in
            let ids = try await db.raw("""
                SELECT id FROM checkouts WHERE status IN ('expired', 'cancelled') AND order_id IS NULL AND updated_at < \(bind: checkoutCutoff)
                ORDER BY id LIMIT 1000
                """).all(decodingColumn: "id", as: String.self)
            guard !ids.isEmpty else { return 0 }
            try await db.delete(from: "reservations").where("checkout_id", .in, ids).run()
            try await db.delete(from: "checkout_audit").where("checkout_id", .in, ids).run()
            try await db.delete(from: "checkouts").where("id", .in, ids).run()
            try await db.delete(from: "idempotency_keys").where("created_at", .lessThan, checkoutCutoff).run()
            return ids.count
        }

        let assetCutoff = now.addingTimeInterval(-Double(settings.assetHours) * 3600)
        let candidates = try await database.withConnection { db in
            try await db.raw("""
                SELECT a.id FROM assets a WHERE a.created_at < \(bind: assetCutoff)
                AND NOT EXISTS (SELECT 1 FROM order_assets r WHERE r.asset_id = a.id) ORDER BY a.id LIMIT 500
                """).all(decodingColumn: "id", as: String.self)
        }
        var unused = try await deletableAssets(Set(candidates), exceptOrders: [], exceptCarts: [], exceptSessions: [])
        if !unused.isEmpty {
            // An open checkout's cart snapshot may still need its images until it is paid or expires.
            let pending = try await database.withConnection { db in
                try await db.raw("SELECT snapshot FROM checkouts WHERE status = 'pending'").all(decodingColumn: "snapshot", as: String.self)
            }
            unused = unused.filter { asset in !pending.contains { $0.contains("\"" + asset + "\"") } }
        }
        for asset in unused.sorted() { try await storage.delete(key: String(asset.dropFirst(Asset.prefix.count))) }
        let doomed = unused.sorted()
        let assets = doomed.isEmpty ? 0 : try await database.transaction { db in
            try await db.delete(from: "assets").where("id", .in, doomed).returning("id").all().count
        }

        var mail = 0
        if let mailFolder, let names = try? FileManager.default.contentsOfDirectory(atPath: mailFolder) {
            let mailCutoff = now.addingTimeInterval(-Double(settings.mailDays) * 86_400)
            for name in names where FileMailTransport.isCopy(name) {
                let path = mailFolder + "/" + name
                if let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date, modified < mailCutoff,
                   (try? FileManager.default.removeItem(atPath: path)) != nil {
                    mail += 1
                }
            }
        }
        return (checkouts, assets, mail)
    }
}
