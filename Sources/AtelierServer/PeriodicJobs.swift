import Atelier
import Foundation
import Logging
import ServiceLifecycle

/// Queues the periodic jobs. Each period's job has a dedupe key naming the period, so however many
/// nodes run this, each job is queued once per period.
struct PeriodicJobs: Service {
    let database: any DatabaseClient
    let queue: JobQueue
    let clock: WallClock
    let logger: Logger
    /// Each job kind and how often it runs.
    var schedule: [(kind: String, period: TimeInterval)] = [
        (SessionCleanupJobs.kind, 600), (StaffCleanupJobs.kind, 3600), (CheckoutExpiryJobs.kind, 60), (SalesLedgerJobs.kind, 60), (RetentionJobs.kind, 3600),
    ]
    var tick: TimeInterval = 30

    func run() async throws {
        await cancelWhenGracefulShutdown {
            // The first round waits until the schema is surely migrated.
            guard (try? await Task.sleep(for: .seconds(30))) != nil else { return }
            while !Task.isCancelled {
                let now = clock.now.timeIntervalSince1970
                do {
                    try await database.transaction { db in
                        for (kind, period) in schedule {
                            _ = try await queue.enqueue(kind: kind, payload: "{}", dedupeKey: "\(kind):\(Int(now / period))", maxAttempts: 3, on: db)
                        }
                    }
                } catch {
                    logger.warning("could not queue periodic jobs", metadata: ["error": .string(String(reflecting: error))])
                }
                guard (try? await Task.sleep(for: .seconds(tick))) != nil else { return }
            }
        }
    }
}
