import Logging
import NIOCore
import SQLKit
import SQLiteKit
import SQLiteNIO
import ServiceLifecycle

/// Leases connections one caller at a time; callers wait in order when all are busy.
actor SQLiteConnectionPool {
    private var idle: [SQLiteConnection]
    private var all: [SQLiteConnection]
    private var waiters: [CheckedContinuation<SQLiteConnection, any Error>] = []
    private var closed = false

    init(_ connections: [SQLiteConnection]) {
        self.idle = connections
        self.all = connections
    }

    func acquire() async throws -> SQLiteConnection {
        if closed { throw SQLiteDatabaseClosed() }
        if let connection = idle.popLast() { return connection }
        return try await withCheckedThrowingContinuation { waiters.append($0) }
    }

    func release(_ connection: SQLiteConnection) {
        if !waiters.isEmpty {
            waiters.removeFirst().resume(returning: connection)
        } else {
            idle.append(connection)
        }
    }

    func close() async {
        closed = true
        for waiter in waiters { waiter.resume(throwing: SQLiteDatabaseClosed()) }
        waiters.removeAll()
        // Closing must happen even when the caller's task is cancelled (shutdown usually is), and
        // sqlite-nio's async calls give up in a cancelled task; an unstructured task is not cancelled.
        let connections = all
        await Task { for connection in connections { try? await connection.close() } }.value
        all.removeAll()
        idle.removeAll()
    }
}
