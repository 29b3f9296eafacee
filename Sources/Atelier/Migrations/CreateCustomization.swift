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

/// Assets (uploaded images and rendered previews, content-addressed) and customization sessions.
struct CreateCustomization: Migration {
    let name = "0004_create_customization"

    func prepare(on db: any SQLDatabase, backend: SQLBackend) async throws {
        let timestamp = ColumnType.timestamp(backend)
        try await db.raw("""
            CREATE TABLE assets (
                id TEXT PRIMARY KEY,
                kind TEXT NOT NULL CHECK (kind IN ('upload', 'preview')),
                type TEXT NOT NULL,
                bytes INTEGER NOT NULL,
                width INTEGER NOT NULL,
                height INTEGER NOT NULL,
                created_at \(unsafeRaw: timestamp) NOT NULL
            )
            """).run()
        try await db.raw("""
            CREATE TABLE customization_sessions (
                id TEXT PRIMARY KEY,
                product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
                template_version INTEGER,
                state TEXT NOT NULL,
                preview_job_id TEXT,
                created_at \(unsafeRaw: timestamp) NOT NULL,
                updated_at \(unsafeRaw: timestamp) NOT NULL,
                expires_at \(unsafeRaw: timestamp) NOT NULL
            )
            """).run()
        try await db.raw("CREATE INDEX customization_sessions_expiry ON customization_sessions (expires_at)").run()
    }
}
