import Logging
import SQLKit

extension SQLDatabase {
    /// ` FOR UPDATE` (or `FOR UPDATE SKIP LOCKED`) on PostgreSQL, to append to a SELECT that must lock
    /// its rows until the transaction ends; nothing on SQLite, whose writers are serialized anyway.
    public func rowLock(skipLocked: Bool = false) -> String {
        guard dialect.name == "postgresql" else { return "" }
        return skipLocked ? " FOR UPDATE SKIP LOCKED" : " FOR UPDATE"
    }
}
import ServiceLifecycle

/// One connection (or transaction) of the shop's database, as domain functions take it. The HTTP edge passes
/// these along without writing SQL of its own.
public typealias DatabaseConnection = any SQLDatabase

/// Access to the one database of the shop, SQLite or PostgreSQL.
///
/// It is a `Service`: it must be running (inside the app's service group, or `withRunning`)
/// while queries are made, and it closes its connections on graceful shutdown.
public protocol DatabaseClient: Service, Sendable {
    var backend: SQLBackend { get }

    /// Runs `body` on one connection leased from the pool, outside any transaction.
    func withConnection<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T

    /// Runs `body` in one transaction: committed if it returns, rolled back if it throws.
    func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T
}

extension DatabaseClient {
    /// Runs `body` in one transaction: committed if it returns, rolled back if it throws.
    ///
    /// On SQLite the transaction takes the write lock at once (`BEGIN IMMEDIATE`), so two writers wait
    /// for each other instead of failing with "database is locked" when one upgrades its read lock.
    public func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await runTransaction(body)
    }

    /// The transaction itself, for clients that add their own rules around it.
    func runTransaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let begin = backend == .sqlite ? "BEGIN IMMEDIATE" : "BEGIN"
        return try await withConnection { db in
            try await db.raw(SQLQueryString(begin)).run()
            let value: T
            do {
                value = try await body(db)
            } catch {
                try? await db.raw("ROLLBACK").run()
                throw error
            }
            try await db.raw("COMMIT").run()
            return value
        }
    }

    /// Runs the client for the duration of `body`, for commands that use the database without a server.
    public func withRunning<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.run() }
            do {
                let value = try await body()
                group.cancelAll()
                return value
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }

    /// True if the database answers a trivial query; used by the readiness check.
    public func ping() async -> Bool {
        do {
            return try await withConnection { db in
                try await db.raw("SELECT 1 AS ok").first() != nil
            }
        } catch {
            return false
        }
    }
}
