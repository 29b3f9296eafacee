import Foundation
import SQLKit

/// The durable job queue. Claiming is one conditional statement: on PostgreSQL the candidate row is
/// picked with `FOR UPDATE SKIP LOCKED`, so any number of workers claim different jobs without
/// waiting on each other; SQLite serializes writers, so the same statement is safe there without it.
/// A claim is a lease: a job whose worker died is claimed again once `locked_until` has passed.
public struct JobQueue: Sendable {
    public let backend: SQLBackend
    private let clock: WallClock

    public init(backend: SQLBackend, clock: WallClock = .system) {
        self.backend = backend
        self.clock = clock
    }

    struct Row: Codable {
        var id: String
        var kind: String
        var payload: String
        var state: String
        var attempts: Int
        var maxAttempts: Int
        var runAt: Date
        var lockedBy: String?
        var lockedUntil: Date?
        var lastError: String?
        var result: String?
        var dedupeKey: String?
        var createdAt: Date
        var updatedAt: Date
        var traceParent: String?

        var job: Job {
            Job(id: id, kind: kind, payload: payload, state: Job.State(rawValue: state) ?? .queued, attempts: attempts,
                maxAttempts: maxAttempts, runAt: runAt, lockedBy: lockedBy, lockedUntil: lockedUntil, lastError: lastError,
                result: result, dedupeKey: dedupeKey, createdAt: createdAt, updatedAt: updatedAt, traceParent: traceParent)
        }
    }

    static let decoder = SnakeCaseColumns.decoder

    /// Queues a job in the caller's transaction. With a `dedupeKey`, a job with the same key that
    /// exists already is answered instead of queuing a second one.
    @discardableResult
    public func enqueue(kind: String, payload: String, dedupeKey: String? = nil, maxAttempts: Int = 8,
                        runAt: Date? = nil, on db: any SQLDatabase) async throws -> Job {
        let now = clock.now
        let id = Identifier.make(prefix: "job", at: now)
        // ON CONFLICT makes a concurrent duplicate wait for the first and then do nothing.
        try await db.raw("""
            INSERT INTO jobs (id, kind, payload, state, attempts, max_attempts, run_at, dedupe_key, created_at, updated_at, trace_parent)
            VALUES (\(bind: id), \(bind: kind), \(bind: payload), 'queued', 0, \(bind: maxAttempts), \(bind: runAt ?? now),
                    \(bind: dedupeKey), \(bind: now), \(bind: now), \(bind: TraceParent.current))
            ON CONFLICT (dedupe_key) DO NOTHING
            """).run()
        if let dedupeKey, let existing = try await find(dedupeKey: dedupeKey, on: db) { return existing }
        guard let job = try await find(id: id, on: db) else { throw AtelierError.internalError }
        return job
    }

    public func find(id: String, on db: any SQLDatabase) async throws -> Job? {
        try await db.select().column("*").from("jobs").where("id", .equal, id).first(decoding: Row.self, with: Self.decoder)?.job
    }

    public func find(dedupeKey: String, on db: any SQLDatabase) async throws -> Job? {
        try await db.select().column("*").from("jobs").where("dedupe_key", .equal, dedupeKey)
            .first(decoding: Row.self, with: Self.decoder)?.job
    }

    /// Claims the next due job of these kinds for `worker` for `lease`, or answers nil.
    public func claim(kinds: [String], worker: String, lease: TimeInterval, on db: any SQLDatabase) async throws -> Job? {
        let now = clock.now
        let skipLocked = backend == .postgres ? "FOR UPDATE SKIP LOCKED" : ""
        let rows = try await db.raw("""
            UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_by = \(bind: worker),
                locked_until = \(bind: now.addingTimeInterval(lease)), updated_at = \(bind: now)
            WHERE id = (
                SELECT id FROM jobs
                WHERE kind IN (\(binds: kinds))
                  AND ((state = 'queued' AND run_at <= \(bind: now)) OR (state = 'running' AND locked_until < \(bind: now)))
                ORDER BY run_at, id
                LIMIT 1 \(unsafeRaw: skipLocked)
            )
            RETURNING *
            """).all(decoding: Row.self, with: Self.decoder)
        return rows.first?.job
    }

    /// Records success. Only the worker holding the lease may; a job re-claimed after its lease ran out
    /// belongs to the new worker, and the late one's answer is ignored (returns false).
    @discardableResult
    public func complete(_ job: Job, result: String?, on db: any SQLDatabase) async throws -> Bool {
        let now = clock.now
        let updated = try await db.raw("""
            UPDATE jobs SET state = 'succeeded', result = \(bind: result), locked_by = NULL, locked_until = NULL,
                last_error = NULL, updated_at = \(bind: now)
            WHERE id = \(bind: job.id) AND state = 'running' AND locked_by = \(bind: job.lockedBy ?? "")
            RETURNING id
            """).all()
        return !updated.isEmpty
    }

    /// Records a failure: queued again after the policy's delay, or dead after the last attempt.
    @discardableResult
    public func fail(_ job: Job, error: String, policy: RetryPolicy = .init(), on db: any SQLDatabase) async throws -> Job.State? {
        let now = clock.now
        let dead = job.attempts >= job.maxAttempts
        let state: Job.State = dead ? .dead : .queued
        let runAt = dead ? now : now.addingTimeInterval(policy.delay(afterAttempt: job.attempts))
        let updated = try await db.raw("""
            UPDATE jobs SET state = \(bind: state.rawValue), run_at = \(bind: runAt), last_error = \(bind: String(error.prefix(2000))),
                locked_by = NULL, locked_until = NULL, updated_at = \(bind: now)
            WHERE id = \(bind: job.id) AND state = 'running' AND locked_by = \(bind: job.lockedBy ?? "")
            RETURNING id
            """).all()
        return updated.isEmpty ? nil : state
    }

    /// How many jobs of each kind are in each state: queue depth and dead jobs, for the metrics.
    public func counts(on db: any SQLDatabase) async throws -> [(kind: String, state: String, count: Int)] {
        struct Count: Decodable { var kind: String; var state: String; var n: Int }
        return try await db.raw("SELECT kind, state, COUNT(*) AS n FROM jobs WHERE state <> 'succeeded' GROUP BY kind, state")
            .all(decoding: Count.self).map { ($0.kind, $0.state, $0.n) }
    }
}
