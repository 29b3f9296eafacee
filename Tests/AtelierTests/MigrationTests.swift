import Atelier
import AtelierTestSupport
import Foundation
import SQLKit
import Testing

@Suite struct MigrationTests {
    @Test func migratesAnEmptyDatabaseAndRecordsEachMigration() async throws {
        try await TestDatabase.with(migrate: false) { database in
            let applied = try await Migrator().migrate(database, logger: TestDatabase.logger)
            #expect(applied == AllMigrations.list.map(\.name))
            let recorded = try await database.withConnection { db in
                try await db.select().column("name").from("schema_migrations").orderBy("name")
                    .all(decodingColumn: "name", as: String.self)
            }
            #expect(recorded == applied.sorted())
            // The tables exist and are usable.
            let keys = try await database.withConnection { db in try await APIKeyStore().count(on: db) }
            #expect(keys == 0)
        }
    }

    @Test func secondRunAppliesNothing() async throws {
        try await TestDatabase.with { database in
            let again = try await Migrator().migrate(database, logger: TestDatabase.logger)
            #expect(again.isEmpty)
        }
    }

    @Test func refusesADatabaseWithMigrationsItDoesNotKnow() async throws {
        try await TestDatabase.with { database in
            try await database.withConnection { db in
                try await db.insert(into: "schema_migrations").columns("name", "applied_at")
                    .values(SQLBind("9999_from_the_future"), SQLBind(Date())).run()
            }
            await #expect(throws: MigrationError.self) {
                try await Migrator().migrate(database, logger: TestDatabase.logger)
            }
        }
    }

    @Test func runsOnADatabaseWhoseNewerMigrationsAreAllAdditive() async throws {
        try await TestDatabase.with { database in
            // What a newer release's additive migration leaves: the previous build starts on it, and applies nothing.
            try await database.withConnection { db in
                try await db.insert(into: "schema_migrations").columns("name", "applied_at", "additive")
                    .values(SQLBind("9998_adds_a_column"), SQLBind(Date()), SQLBind(true)).run()
            }
            let applied = try await Migrator().migrate(database, logger: TestDatabase.logger)
            #expect(applied.isEmpty)
            // One that is not additive after it: refused.
            try await database.withConnection { db in
                try await db.insert(into: "schema_migrations").columns("name", "applied_at", "additive")
                    .values(SQLBind("9999_renames_a_column"), SQLBind(Date()), SQLBind(false)).run()
            }
            await #expect(throws: MigrationError.self) { try await Migrator().migrate(database, logger: TestDatabase.logger) }
        }
    }

    @Test func aFailingMigrationLeavesNothingBehind() async throws {
        struct Broken: Migration {
            let name = "9000_broken"
            func prepare(on db: any SQLDatabase, backend: SQLBackend) async throws {
                try await db.raw("CREATE TABLE half_done (id TEXT PRIMARY KEY)").run()
                try await db.raw("THIS IS NOT SQL").run()
            }
        }
        try await TestDatabase.with(migrate: false) { database in
            let migrator = Migrator(migrations: AllMigrations.list + [Broken()])
            await #expect(throws: (any Error).self) { try await migrator.migrate(database, logger: TestDatabase.logger) }
            // All pending migrations share one transaction: not even the good ones stayed.
            await #expect(throws: (any Error).self) {
                try await database.withConnection { db in try await db.raw("SELECT * FROM api_keys").run() }
            }
            await #expect(throws: (any Error).self) {
                try await database.withConnection { db in try await db.raw("SELECT * FROM half_done").run() }
            }
        }
    }

    @Test func concurrentMigratorsApplyEachMigrationOnce() async throws {
        try await TestDatabase.with(migrate: false) { database in
            let results = try await withThrowingTaskGroup(of: [String].self) { group in
                for _ in 0..<4 {
                    group.addTask { try await Migrator().migrate(database, logger: TestDatabase.logger) }
                }
                return try await group.reduce(into: [[String]]()) { $0.append($1) }
            }
            #expect(results.flatMap { $0 }.sorted() == AllMigrations.list.map(\.name).sorted())
        }
    }
}
