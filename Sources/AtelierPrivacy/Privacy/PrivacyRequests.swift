import AtelierCore
import AtelierAssets
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import AtelierDelivery
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

    func record(_ id: String, kind: String, emailHash: String, actorId: String?, summary: String, at: Date, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO privacy_requests (id, kind, email_hash, actor_id, summary, created_at)
            VALUES (\(bind: id), \(bind: kind), \(bind: emailHash), \(bind: actorId), \(bind: summary), \(bind: at))
            """).run()
    }

    /// The address a request is about, as customers enter them: something@something, no control characters;
    /// 422 `invalid_email` at `/email` otherwise.
    public static func subjectEmail(_ raw: String) throws(AtelierError) -> String {
        let email = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (3...254).contains(email.count), email.contains("@"), !email.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { throw AtelierError.validation([.init(pointer: "/email", code: .invalidEmail, message: "must be an email address.")]) }
        return email
    }

    /// Orders of erased customers waiting to ship before they are erased too.
    public static func pendingErasures(on db: any SQLDatabase) async throws -> Int {
        try await db.raw("SELECT COUNT(*) AS n FROM pending_erasures").first(decodingColumn: "n", as: Int.self) ?? 0
    }
}
