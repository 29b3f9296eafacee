import Atelier
import Foundation
import Logging
import ServiceLifecycle

/// The job workers and the periodic jobs, shared by `serve` (in-process) and `atelier worker`.
public enum BackgroundWork {
    /// Every module's job handlers, with the stores of `services`.
    public static func handlers(services: AppServices) -> [JobHandler] {
        let (configuration, database, clock) = (services.configuration, services.database, services.clock)
        return [
            PreviewJobs.handler(database: database, assets: services.previewAssets),
            SessionCleanupJobs.handler(database: database, sessions: services.sessions, carts: services.carts),
            CheckoutExpiryJobs.handler(database: database, clock: clock),
            SalesLedgerJobs.handler(database: database, ledger: services.salesLedger),
            RetentionJobs.handler(database: database, privacy: services.privacy, settings: configuration.privacy.retention, clock: clock),
            RefundJobs.handler(database: database, refunds: services.refunds),
            PaymentReconciliationJobs.handler(reconciliation: services.reconciliation),
        ]
    }

    public static func services(services: AppServices, logger: Logger, workers: Int) -> [any Service] {
        guard workers > 0 else { return [] }
        let (configuration, database, clock) = (services.configuration, services.database, services.clock)
        let handlers = handlers(services: services)
        var running: [any Service] = (0..<workers).map { _ in
            JobWorker(database: database, handlers: handlers, clock: clock, logger: logger)
        }
        var periodic = PeriodicJobs(database: database, queue: services.jobs, clock: clock, logger: logger)
        // Payments whose webhook never came are looked up at their provider (ATELIER_RECONCILE_INTERVAL_SECONDS).
        periodic.schedule.append((PaymentReconciliationJobs.kind, configuration.commerce.reconcileInterval))
        periodic.tick = min(periodic.tick, configuration.commerce.reconcileInterval)
        running.append(periodic)
        // Outbox events to their subscriptions (partner webhooks, the fulfillment service, emails): at least once,
        // in order per aggregate.
        running.append(EventDeliveryService(
            database: database, subscriptions: services.webhookSubscriptions,
            settings: configuration.delivery.webhooks, fulfillment: configuration.delivery.fulfillment, mail: configuration.delivery.mail, clock: clock, logger: logger))
        return running
    }
}

/// Queues the periodic jobs. Each period's job has a dedupe key naming the period, so however many
/// nodes run this, each job is queued once per period.
struct PeriodicJobs: Service {
    let database: any DatabaseClient
    let queue: JobQueue
    let clock: WallClock
    let logger: Logger
    /// Each job kind and how often it runs.
    var schedule: [(kind: String, period: TimeInterval)] = [
        (SessionCleanupJobs.kind, 600), (CheckoutExpiryJobs.kind, 60), (SalesLedgerJobs.kind, 60), (RetentionJobs.kind, 3600),
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
