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
            StaffCleanupJobs.handler(database: database, sessions: services.staffSessions, throttle: services.loginThrottle,
                                     clock: services.clock),
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
