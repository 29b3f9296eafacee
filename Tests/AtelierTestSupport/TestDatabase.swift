import Atelier
import Foundation
import Logging
import SQLKit

/// The database a test runs on: SQLite in memory, or, when `ATELIER_TEST_POSTGRES_URL` is set, a fresh
/// PostgreSQL schema of its own (tests run in parallel; each one gets its own schema, dropped after).
public enum TestDatabase {
    public static var postgresURL: String? {
        ProcessInfo.processInfo.environment["ATELIER_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    public static var isPostgres: Bool { postgresURL != nil }

    public static var logger: Logger {
        var logger = Logger(label: "atelier-test")
        logger.logLevel = ProcessInfo.processInfo.environment["ATELIER_TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        return logger
    }

    /// A setting for a new, empty database, and the clean-up to run after the test.
    public static func makeSetting() async throws -> (DatabaseSetting, cleanup: @Sendable () async throws -> Void) {
        guard let url = postgresURL else { return (.sqlite(.memory, poolSize: 1), {}) }
        var settings = try PostgresSettings(url: url, maxConnections: 8)
        let schema = "t_" + Identifier.make(prefix: "s").dropFirst(2).lowercased()
        try await onAdminConnection(settings) { db in try await db.raw("CREATE SCHEMA \(ident: schema)").run() }
        settings.searchPath = schema
        let final = settings
        return (.postgres(final), {
            try await onAdminConnection(final) { db in try await db.raw("DROP SCHEMA \(ident: schema) CASCADE").run() }
        })
    }

    private static func onAdminConnection(
        _ settings: PostgresSettings,
        _ body: @escaping @Sendable (any SQLDatabase) async throws -> Void
    ) async throws {
        var settings = settings
        settings.searchPath = nil
        settings.maxConnections = 1
        let client = PostgresDatabaseClient(settings: settings, logger: logger)
        try await client.withRunning { try await client.withConnection { db in try await body(db) } }
    }

    /// Runs `body` with a migrated, empty database that is running for the duration.
    public static func with<T: Sendable>(
        migrate: Bool = true,
        _ body: @escaping @Sendable (any DatabaseClient) async throws -> T
    ) async throws -> T {
        let (setting, cleanup) = try await makeSetting()
        let database = try await DatabaseFactory.make(setting, logger: logger)
        do {
            let value = try await database.withRunning {
                if migrate { try await Migrator().migrate(database, logger: logger) }
                return try await body(database)
            }
            try await cleanup()
            return value
        } catch {
            try? await cleanup()
            throw error
        }
    }
}
