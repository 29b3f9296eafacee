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

/// The operator console's people: staff accounts (an email and a bcrypt password, one of the API keys' four roles),
/// their server-side sessions (kept by the SHA-256 of the cookie's token, never the token), and the failed sign-ins
/// counted per account and per client address, in the database so that every node counts the same.
struct CreateStaff: Migration {
    let name = "0016_create_staff"

    func prepare(on db: any SQLDatabase, backend: SQLBackend) async throws {
        let timestamp = ColumnType.timestamp(backend)
        try await db.raw("""
            CREATE TABLE staff_accounts (
                id TEXT PRIMARY KEY,
                email TEXT NOT NULL UNIQUE,
                display_name TEXT NOT NULL,
                role TEXT NOT NULL CHECK (role IN ('admin', 'designer', 'operations', 'viewer')),
                password_hash TEXT NOT NULL,
                must_change_password BOOLEAN NOT NULL,
                disabled_at \(unsafeRaw: timestamp),
                password_changed_at \(unsafeRaw: timestamp),
                created_at \(unsafeRaw: timestamp) NOT NULL,
                updated_at \(unsafeRaw: timestamp) NOT NULL
            )
            """).run()
        try await db.raw("""
            CREATE TABLE staff_sessions (
                id TEXT PRIMARY KEY,
                staff_id TEXT NOT NULL REFERENCES staff_accounts (id) ON DELETE CASCADE,
                csrf_token TEXT NOT NULL,
                created_at \(unsafeRaw: timestamp) NOT NULL,
                last_seen_at \(unsafeRaw: timestamp) NOT NULL,
                expires_at \(unsafeRaw: timestamp) NOT NULL,
                ended_at \(unsafeRaw: timestamp)
            )
            """).run()
        try await db.raw("CREATE INDEX staff_sessions_staff ON staff_sessions (staff_id)").run()
        try await db.raw("CREATE INDEX staff_sessions_expiry ON staff_sessions (expires_at)").run()
        try await db.raw("""
            CREATE TABLE login_attempts (
                scope TEXT NOT NULL CHECK (scope IN ('account', 'address')),
                key TEXT NOT NULL,
                failures INTEGER NOT NULL,
                window_started_at \(unsafeRaw: timestamp) NOT NULL,
                locked_until \(unsafeRaw: timestamp),
                PRIMARY KEY (scope, key)
            )
            """).run()
    }
}
