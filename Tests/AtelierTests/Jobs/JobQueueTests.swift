@testable import Atelier
@testable import AtelierCore
@testable import AtelierAssets
@testable import AtelierCatalog
@testable import AtelierCustomization
@testable import AtelierCommerce
@testable import AtelierDelivery
@testable import AtelierInsights
@testable import AtelierPrivacy
@testable import AtelierAccess
import AtelierTestSupport
import Foundation
import SQLKit
import ServiceLifecycle
import Synchronization
import Testing

@Suite struct JobQueueTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func queue(_ database: any DatabaseClient, at offset: TimeInterval = 0) -> JobQueue {
        JobQueue(backend: database.backend, clock: .fixed(Self.t0.addingTimeInterval(offset)))
    }

    @Test func aJobEnqueuedInARolledBackTransactionNeverExists() async throws {
        try await TestDatabase.with { database in
            let queue = queue(database)
            struct Abort: Error {}
            await #expect(throws: Abort.self) {
                try await database.transaction { db in
                    try await queue.enqueue(kind: "preview.render", payload: "{}", on: db)
                    throw Abort()
                }
            }
            let claimed = try await database.transaction { db in try await queue.claim(kinds: ["preview.render"], worker: "w", lease: 60, on: db) }
            #expect(claimed == nil)
        }
    }

    @Test func aJobIsClaimedOnceUntilItsLeaseRunsOutThenRecovered() async throws {
        try await TestDatabase.with { database in
            let job = try await database.transaction { db in try await queue(database).enqueue(kind: "k", payload: "p", on: db) }
            let first = try await database.transaction { db in try await queue(database).claim(kinds: ["k"], worker: "a", lease: 10, on: db) }
            #expect(first?.id == job.id)
            #expect(first?.attempts == 1)
            let meanwhile = try await database.transaction { db in try await queue(database, at: 5).claim(kinds: ["k"], worker: "b", lease: 10, on: db) }
            #expect(meanwhile == nil)
            // Worker a died: after the lease, b takes the job over.
            let recovered = try await database.transaction { db in try await queue(database, at: 11).claim(kinds: ["k"], worker: "b", lease: 10, on: db) }
            #expect(recovered?.id == job.id)
            #expect(recovered?.attempts == 2)
            // a comes back late: its answer no longer counts; b's does.
            let late = try await database.transaction { db in try await queue(database, at: 12).complete(first!, result: "from a", on: db) }
            #expect(!late)
            let done = try await database.transaction { db in try await queue(database, at: 12).complete(recovered!, result: "from b", on: db) }
            #expect(done)
            let stored = try await database.withConnection { db in try await queue(database).find(id: job.id, on: db) }
            #expect(stored?.state == .succeeded)
            #expect(stored?.result == "from b")
        }
    }

    @Test func failuresBackOffAndTheLastOneIsDead() async throws {
        try await TestDatabase.with { database in
            let policy = RetryPolicy(maxAttempts: 3, baseDelay: 10, maxDelay: 100)
            _ = try await database.transaction { db in try await queue(database).enqueue(kind: "k", payload: "p", maxAttempts: 3, on: db) }
            var now: TimeInterval = 0
            var states: [Job.State?] = []
            for _ in 0..<3 {
                let at = now
                let claimed = try #require(try await database.transaction { db in
                    try await queue(database, at: at).claim(kinds: ["k"], worker: "w", lease: 60, on: db)
                })
                states.append(try await database.transaction { db in
                    try await queue(database, at: at).fail(claimed, error: "boom", policy: policy, on: db)
                })
                let stored = try await database.withConnection { db in try await queue(database).find(id: claimed.id, on: db) }!
                if stored.state == .queued {
                    let wait = stored.runAt.timeIntervalSince(Self.t0.addingTimeInterval(at))
                    let ceiling = min(100, 10 * pow(2, Double(claimed.attempts - 1)))
                    #expect(wait >= ceiling / 2 && wait <= ceiling)
                    // Not due before its time.
                    let early = try await database.transaction { db in try await queue(database, at: at + wait / 2 - 0.01).claim(kinds: ["k"], worker: "w", lease: 60, on: db) }
                    #expect(early == nil)
                    now = at + wait + 0.001  // stored times are floating point on SQLite
                }
            }
            #expect(states == [.queued, .queued, .dead])
        }
    }

    @Test func aDedupeKeyQueuesOneJob() async throws {
        try await TestDatabase.with { database in
            let ids = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<5 {
                    group.addTask {
                        try await database.transaction { db in
                            try await JobQueue(backend: database.backend).enqueue(kind: "k", payload: "p", dedupeKey: "preview:abc", on: db).id
                        }
                    }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(ids.count == 1)
        }
    }

    @Test func manyWorkersNeverProcessAJobTwice() async throws {
        try await TestDatabase.with { database in
            let count = 60
            try await database.transaction { db in
                for i in 0..<count { try await JobQueue(backend: database.backend).enqueue(kind: "k", payload: "\(i)", on: db) }
            }
            let seen = Box<[String]>([])
            try await withThrowingTaskGroup(of: Void.self) { group in
                for w in 0..<6 {
                    group.addTask {
                        let queue = JobQueue(backend: database.backend)
                        while let job = try await database.transaction({ db in try await queue.claim(kinds: ["k"], worker: "w\(w)", lease: 60, on: db) }) {
                            seen.withLock { $0.append(job.payload) }
                            _ = try await database.transaction { db in try await queue.complete(job, result: nil, on: db) }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let payloads = seen.withLock { $0 }
            #expect(payloads.count == count)
            #expect(Set(payloads).count == count)
        }
    }

    @Test func aWorkerRunsHandlersAndRetriesFailures() async throws {
        try await TestDatabase.with { database in
            let calls = Box(0)
            let handler = JobHandler(kind: "flaky", policy: RetryPolicy(maxAttempts: 3, baseDelay: 0, maxDelay: 0)) { job in
                let n = calls.withLock { $0 += 1; return $0 }
                if n == 1 { throw TestError() }
                return "done \(job.payload)"
            }
            let worker = JobWorker(database: database, handlers: [handler], logger: TestDatabase.logger)
            let job = try await database.transaction { db in try await JobQueue(backend: database.backend).enqueue(kind: "flaky", payload: "x", on: db) }
            #expect(try await worker.runOne())
            #expect(try await worker.runOne())
            #expect(try await worker.runOne() == false)
            let stored = try await database.withConnection { db in try await JobQueue(backend: database.backend).find(id: job.id, on: db) }
            #expect(stored?.state == .succeeded)
            #expect(stored?.result == "done x")
            #expect(stored?.attempts == 2)
        }
    }

    @Test func aWorkerAskedToStopFinishesTheJobItHolds() async throws {
        try await TestDatabase.with { database in
            let started = Box(false)
            let slow = JobHandler(kind: "slow") { _ in
                started.withLock { $0 = true }
                try await Task.sleep(for: .milliseconds(400))
                return "finished"
            }
            let job = try await database.transaction { db in try await JobQueue(backend: database.backend).enqueue(kind: "slow", payload: "{}", on: db) }
            let worker = JobWorker(database: database, handlers: [slow], pollInterval: .milliseconds(20), logger: TestDatabase.logger)
            let group = ServiceGroup(configuration: .init(services: [worker], logger: TestDatabase.logger))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                while !started.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            let stored = try await database.withConnection { db in try await JobQueue(backend: database.backend).find(id: job.id, on: db) }
            #expect(stored?.state == .succeeded)
            #expect(stored?.result == "finished")
        }
    }

    struct TestError: Error {}

    final class Box<Value: Sendable>: Sendable {
        let value: Mutex<Value>
        init(_ value: Value) { self.value = Mutex(value) }
        func withLock<T: Sendable>(_ body: (inout Value) -> T) -> T { value.withLock { body(&$0) } }
    }

    @Test func backoffStaysWithinItsBounds() {
        let policy = RetryPolicy(maxAttempts: 10, baseDelay: 5, maxDelay: 60)
        #expect(policy.delay(afterAttempt: 1, random: 0) == 2.5)
        #expect(policy.delay(afterAttempt: 1, random: 1) == 5)
        #expect(policy.delay(afterAttempt: 3, random: 1) == 20)
        #expect(policy.delay(afterAttempt: 9, random: 1) == 60)
        #expect(policy.delay(afterAttempt: 9, random: 0) == 30)
    }
}
