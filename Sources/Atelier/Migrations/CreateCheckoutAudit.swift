import AtelierCore
import AtelierAssets
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import AtelierDelivery
import AtelierInsights
import AtelierPrivacy
import AtelierAccess
import SQLKit

/// What happened to checkouts that did not simply become orders: expiry and cancellation, by whom and why;
/// and an index for the staff's list of checkouts, newest first.
struct CreateCheckoutAudit: Migration {
    let name = "0012_create_checkout_audit"

    func prepare(on db: any SQLDatabase, backend: SQLBackend) async throws {
        let timestamp = ColumnType.timestamp(backend)
        try await db.raw("""
            CREATE TABLE checkout_audit (
                id TEXT PRIMARY KEY,
                checkout_id TEXT NOT NULL REFERENCES checkouts (id) ON DELETE CASCADE,
                at \(unsafeRaw: timestamp) NOT NULL,
                event TEXT NOT NULL,
                actor_kind TEXT NOT NULL,
                actor_id TEXT,
                reason TEXT
            )
            """).run()
        try await db.raw("CREATE INDEX checkout_audit_checkout ON checkout_audit (checkout_id, at)").run()
        try await db.raw("CREATE INDEX checkouts_created ON checkouts (created_at, id)").run()
    }
}
