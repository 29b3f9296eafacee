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

struct CreateAPIKeys: Migration {
    let name = "0001_create_api_keys"

    func prepare(on db: any SQLDatabase, backend: SQLBackend) async throws {
        let timestamp = ColumnType.timestamp(backend)
        try await db.raw("""
            CREATE TABLE api_keys (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                role TEXT NOT NULL CHECK (role IN ('admin', 'designer', 'operations', 'viewer')),
                secret_hash TEXT NOT NULL,
                created_at \(unsafeRaw: timestamp) NOT NULL,
                last_used_at \(unsafeRaw: timestamp),
                revoked_at \(unsafeRaw: timestamp)
            )
            """).run()
    }
}
