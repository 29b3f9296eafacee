import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Claims and runs jobs until graceful shutdown; a claimed job is always finished (or its failure
/// recorded) before the worker stops, so shutdown never loses one. A worker that dies instead leaves
/// a lease that runs out, and another worker takes the job again.
public struct JobWorker: Service {
    public let database: any DatabaseClient
    public let handlers: [String: JobHandler]
    public let id: String
    public let pollInterval: Duration
    public let lease: TimeInterval
    public let logger: Logger
    private let clock: WallClock

    public init(database: any DatabaseClient, handlers: [JobHandler], id: String = Identifier.make(prefix: "wrk"),
                pollInterval: Duration = .milliseconds(500), lease: TimeInterval = 300, clock: WallClock = .system,
                logger: Logger) {
        self.database = database
        self.handlers = Dictionary(uniqueKeysWithValues: handlers.map { ($0.kind, $0) })
        self.id = id
        self.pollInterval = pollInterval
        self.lease = lease
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        let stopping = StopFlag()
        try await withGracefulShutdownHandler {
            while !stopping.isSet, !Task.isCancelled {
                var worked = false
                do {
                    worked = try await runOne()
                } catch {
                    logger.warning("job worker could not claim a job", metadata: ["error": .string(String(reflecting: error))])
                }
                if !worked {
                    // Sleep in short steps so a shutdown is noticed quickly.
                    var slept = Duration.zero
                    while slept < pollInterval, !stopping.isSet, !Task.isCancelled {
                        try? await Task.sleep(for: .milliseconds(50))
                        slept += .milliseconds(50)
                    }
                }
            }
        } onGracefulShutdown: {
            stopping.set()
        }
    }

    /// Claims one due job and runs it; false when there was none.
    @discardableResult
    public func runOne() async throws -> Bool {
        let queue = JobQueue(backend: database.backend, clock: clock)
        let kinds = Array(handlers.keys)
        let (worker, lease) = (id, self.lease)
        guard let job = try await database.transaction({ db in try await queue.claim(kinds: kinds, worker: worker, lease: lease, on: db) }),
            let handler = handlers[job.kind]
        else { return false }
        var log = logger
        log[metadataKey: "job_id"] = .string(job.id)
        log[metadataKey: "job_kind"] = .string(job.kind)
        do {
            let result = try await TraceParent.withSpan("job \(job.kind)", continuing: job.traceParent) { try await handler.run(job) }
            try await database.transaction { db in try await queue.complete(job, result: result, on: db) }
            log.debug("job succeeded", metadata: ["attempt": .stringConvertible(job.attempts)])
        } catch {
            let message = String(describing: error)
            let state = try await database.transaction { db in try await queue.fail(job, error: message, policy: handler.policy, on: db) }
            log.warning("job failed", metadata: [
                "attempt": .stringConvertible(job.attempts), "error": .string(message),
                "next": .string(state?.rawValue ?? "lease lost"),
            ])
        }
        return true
    }
}
