import AtelierCore
import AtelierAssets
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import AtelierDelivery
import AtelierInsights
import AtelierPrivacy
import AtelierAccess
import Foundation
import SQLKit

/// Sales reports: the day-by-day aggregate (`report_daily`), the ledger of changes not yet folded into
/// it (`report_entries`, written in the paying or cancelling transaction), and which time zone the days
/// are in (`report_state`). Privacy: the erasure audit log.
struct CreateReports: Migration {
    let name = "0009_create_reports"

    func prepare(on db: any SQLDatabase, backend: SQLBackend) async throws {
        let timestamp = ColumnType.timestamp(backend)
        let figures = """
            orders BIGINT NOT NULL, units BIGINT NOT NULL, subtotal BIGINT NOT NULL, shipping BIGINT NOT NULL,
            tax BIGINT NOT NULL, total BIGINT NOT NULL, cancelled BIGINT NOT NULL, refunded BIGINT NOT NULL
            """
        try await db.raw("""
            CREATE TABLE report_entries (
                id TEXT PRIMARY KEY,
                paid_at \(unsafeRaw: timestamp) NOT NULL,
                currency TEXT NOT NULL,
                dimension TEXT NOT NULL,
                item TEXT NOT NULL,
                detail TEXT NOT NULL,
                label TEXT NOT NULL,
                \(unsafeRaw: figures)
            )
            """).run()
        try await db.raw("CREATE INDEX report_entries_paid ON report_entries (dimension, paid_at)").run()
        try await db.raw("""
            CREATE TABLE report_daily (
                dimension TEXT NOT NULL,
                local_day TEXT NOT NULL,
                currency TEXT NOT NULL,
                item TEXT NOT NULL,
                detail TEXT NOT NULL,
                label TEXT NOT NULL,
                \(unsafeRaw: figures),
                PRIMARY KEY (dimension, currency, local_day, item, detail)
            )
            """).run()
        try await db.raw("CREATE TABLE report_state (name TEXT PRIMARY KEY, value TEXT NOT NULL)").run()
        try await db.raw("""
            CREATE TABLE privacy_requests (
                id TEXT PRIMARY KEY,
                kind TEXT NOT NULL CHECK (kind IN ('export', 'erase')),
                email_hash TEXT NOT NULL,
                actor_id TEXT,
                summary TEXT NOT NULL,
                created_at \(unsafeRaw: timestamp) NOT NULL
            )
            """).run()
        try await db.raw("CREATE INDEX privacy_requests_email ON privacy_requests (email_hash, created_at)").run()
        // Orders of an erased customer that were still open: erased once they ship (or are cancelled).
        try await db.raw("""
            CREATE TABLE pending_erasures (
                order_id TEXT PRIMARY KEY,
                request_id TEXT NOT NULL,
                created_at \(unsafeRaw: timestamp) NOT NULL
            )
            """).run()
        // The uploads and previews each order uses, so that retention and erasure know what is still needed.
        try await db.raw("""
            CREATE TABLE order_assets (
                asset_id TEXT NOT NULL,
                order_id TEXT NOT NULL REFERENCES orders (id),
                PRIMARY KEY (asset_id, order_id)
            )
            """).run()
        var after = ""
        while true {
            let rows = try await db.raw("SELECT id, snapshot FROM orders WHERE id > \(bind: after) ORDER BY id LIMIT 1000").all()
            for row in rows {
                let id = try row.decode(column: "id", as: String.self)
                let snapshot = try Coding.decoder.decode(SnapshotAssets.self, from: Data(try row.decode(column: "snapshot", as: String.self).utf8))
                for asset in snapshot.assetIds.sorted() {
                    try await db.raw("INSERT INTO order_assets (asset_id, order_id) VALUES (\(bind: asset), \(bind: id))").run()
                }
            }
            guard rows.count == 1000, let last = rows.last else { break }
            after = try last.decode(column: "id", as: String.self)
        }
    }
}
