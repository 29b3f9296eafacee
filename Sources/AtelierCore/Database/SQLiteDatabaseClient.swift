import Logging
import NIOCore
import SQLKit
import SQLiteKit
import SQLiteNIO
import ServiceLifecycle

/// SQLite through a small fixed pool of connections.
///
/// A file database runs in WAL mode so readers never block the single writer. An in-memory database
/// exists per connection, so it gets exactly one connection and every call is serialized on it.
public final class SQLiteDatabaseClient: DatabaseClient {
    public let backend = SQLBackend.sqlite
    private let pool: SQLiteConnectionPool
    private let logger: Logger

    private init(pool: SQLiteConnectionPool, logger: Logger) {
        self.pool = pool
        self.logger = logger
    }

    public static func open(storage: DatabaseSetting.SQLiteStorage, poolSize: Int, logger: Logger) async throws -> SQLiteDatabaseClient {
        var connections: [SQLiteConnection] = []
        let count = storage == .memory ? 1 : max(1, poolSize)
        do {
            for _ in 0..<count {
                let connection: SQLiteConnection
                switch storage {
                case .memory:
                    connection = try await SQLiteConnection.open(storage: .memory, logger: logger)
                case .file(let path):
                    connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
                }
                connections.append(connection)
                let db = connection.sql(queryLogLevel: .trace)
                if case .file = storage {
                    try await db.raw("PRAGMA journal_mode = WAL").run()
                    try await db.raw("PRAGMA synchronous = NORMAL").run()
                }
                try await db.raw("PRAGMA busy_timeout = 10000").run()
                try await db.raw("PRAGMA foreign_keys = ON").run()
            }
        } catch {
            for connection in connections { try? await connection.close() }
            throw error
        }
        return SQLiteDatabaseClient(pool: SQLiteConnectionPool(connections), logger: logger)
    }

    /// One writing transaction at a time in this process. SQLite admits one writer anyway; without the gate,
    /// writers queued inside SQLite's busy wait hold sqlite-nio's few blocking threads while the writer that
    /// holds the lock waits for a thread to commit on — every writer stalls until the busy timeout.
    public func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await writer.acquire()
        do {
            let value = try await runTransaction(body)
            await writer.release()
            return value
        } catch {
            await writer.release()
            throw error
        }
    }

    private let writer = WriterGate()

    public func withConnection<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let connection = try await pool.acquire()
        do {
            let value = try await body(connection.sql(queryLogLevel: .trace))
            await pool.release(connection)
            return value
        } catch {
            await pool.release(connection)
            throw error
        }
    }

    /// Waits for shutdown, then closes every connection (sqlite-nio requires an explicit close).
    public func run() async throws {
        try? await gracefulShutdown()
        await pool.close()
    }
}
