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

struct CreateJobs: Migration {
    let name = "0003_create_jobs"

    func prepare(on db: any SQLDatabase, backend: SQLBackend) async throws {
        let timestamp = ColumnType.timestamp(backend)
        try await db.raw("""
            CREATE TABLE jobs (
                id TEXT PRIMARY KEY,
                kind TEXT NOT NULL,
                payload TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'dead')),
                attempts INTEGER NOT NULL,
                max_attempts INTEGER NOT NULL,
                run_at \(unsafeRaw: timestamp) NOT NULL,
                locked_by TEXT,
                locked_until \(unsafeRaw: timestamp),
                last_error TEXT,
                result TEXT,
                dedupe_key TEXT UNIQUE,
                created_at \(unsafeRaw: timestamp) NOT NULL,
                updated_at \(unsafeRaw: timestamp) NOT NULL
            )
            """).run()
        try await db.raw("CREATE INDEX jobs_due ON jobs (state, run_at)").run()
    }
}
