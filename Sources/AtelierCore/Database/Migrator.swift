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
            try await Self.addAdditiveColumn(on: db, backend: backend)
            struct Done: Decodable { var name: String; var additive: Bool }
            let done = try await db.select().columns("name", "additive").from("schema_migrations").all(decoding: Done.self)
            let unknown = done.filter { !known.contains($0.name) }
            // A newer release migrated this database. Its additive migrations leave this build working (a node of
            // the previous release restarting during a rolling upgrade); any other needs the newer build.
            let blocking = unknown.filter { !$0.additive }.map(\.name)
            guard blocking.isEmpty else {
                throw MigrationError(
                    "the database has migrations this build does not know (\(blocking.sorted().joined(separator: ", "))); run a newer build"
                )
            }
            if !unknown.isEmpty {
                logger.notice("the database has newer migrations, each additive: this build runs on it",
                              metadata: ["migrations": .string(unknown.map(\.name).sorted().joined(separator: ","))])
            }
            let names = Set(done.map(\.name))
            var applied: [String] = []
            for migration in migrations where !names.contains(migration.name) {
                try await migration.prepare(on: db, backend: backend)
                try await db.insert(into: "schema_migrations")
                    .columns("name", "applied_at", "additive")
                    .values(SQLBind(migration.name), SQLBind(clock.now), SQLBind(migration.additive))
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

    /// `schema_migrations.additive`, added to databases made before it existed (their rows are all known).
    private static func addAdditiveColumn(on db: any SQLDatabase, backend: SQLBackend) async throws {
        switch backend {
        case .postgres:
            try await db.raw("ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS additive BOOLEAN NOT NULL DEFAULT FALSE").run()
        case .sqlite:
            let present = try await db.raw("SELECT COUNT(*) AS n FROM pragma_table_info('schema_migrations') WHERE name = 'additive'")
                .first(decodingColumn: "n", as: Int.self) ?? 0
            if present == 0 {
                try await db.raw("ALTER TABLE schema_migrations ADD COLUMN additive BOOLEAN NOT NULL DEFAULT FALSE").run()
            }
        }
    }
}
