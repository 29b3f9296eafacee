import Foundation
import Logging
import SQLKit

/// Applies pending migrations in order, each recorded in `schema_migrations`.
///
/// All pending migrations run in one transaction, under a lock, so two processes starting at once
/// neither apply a migration twice nor leave half a schema behind.
public struct Migrator: Sendable {
    public var migrations: [any Migration]

    public init(migrations: [any Migration]) {
        self.migrations = migrations
    }

    /// Returns the names of the migrations it applied.
    @discardableResult
    public func migrate(_ database: any DatabaseClient, logger: Logger, clock: WallClock = .system) async throws -> [String] {
        let known = migrations.map(\.name)
        guard Set(known).count == known.count else {
            throw MigrationError("two migrations share a name")
        }
        let migrations = self.migrations
        let backend = database.backend
        let applied: [String] = try await database.transaction { db in
            if backend == .postgres {
                // Serializes concurrent migrators, including their CREATE TABLE IF NOT EXISTS, which
                // is not safe against itself; released at the end of the transaction.
                try await db.raw("SELECT pg_advisory_xact_lock(\(literal: MigrationLock.key))").run()
            }
            try await db.raw("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    name TEXT PRIMARY KEY,
                    applied_at \(unsafeRaw: ColumnType.timestamp(backend)) NOT NULL
                )
                """).run()
            let done = try await db.select().column("name").from("schema_migrations").all(decodingColumn: "name", as: String.self)
            let unknown = Set(done).subtracting(known)
            guard unknown.isEmpty else {
                throw MigrationError(
                    "the database has migrations this build does not know (\(unknown.sorted().joined(separator: ", "))); run a newer build"
                )
            }
            var applied: [String] = []
            for migration in migrations where !done.contains(migration.name) {
                try await migration.prepare(on: db, backend: backend)
                try await db.insert(into: "schema_migrations")
                    .columns("name", "applied_at")
                    .values(SQLBind(migration.name), SQLBind(clock.now))
                    .run()
                applied.append(migration.name)
            }
            return applied
        }
        for name in applied {
            logger.info("applied migration", metadata: ["migration": .string(name)])
        }
        return applied
    }
}
