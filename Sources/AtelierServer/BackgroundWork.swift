import Atelier
import Foundation
import Logging
import ServiceLifecycle

/// The job workers and the periodic jobs, shared by `serve` (in-process) and `atelier worker`.
public enum BackgroundWork {
    public static func handlers(configuration: AtelierConfiguration, database: any DatabaseClient, assetStorage: any AssetStorage,
                                cipher: PersonalDataCipher, gateways: PaymentGateways, clock: WallClock) -> [JobHandler] {
        [
            PreviewJobs.handler(database: database, assets: AssetStore(storage: assetStorage, clock: clock,
                                                                      identity: AssetIdentity(key: cipher.derivedKey(purpose: "asset ids")))),
            SessionCleanupJobs.handler(database: database, sessions: SessionStore(ttl: configuration.customization.sessionTTL, clock: clock),
                                       carts: CartStore(ttl: configuration.commerce.cartTTL, limits: configuration.commerce.cartLimits, clock: clock)),
            CheckoutExpiryJobs.handler(database: database, clock: clock),
            SalesLedgerJobs.handler(database: database, ledger: SalesLedger(timeZone: configuration.catalog.shipDates.timeZone)),
            RetentionJobs.handler(database: database, privacy: PrivacyRequests(configuration: configuration, database: database, cipher: cipher,
                                                                               storage: assetStorage, clock: clock),
                                  settings: configuration.privacy.retention, clock: clock),
            RefundJobs.handler(database: database, refunds: Refunds(gateways: gateways, clock: clock)),
            PaymentReconciliationJobs.handler(reconciliation: PaymentReconciliation(
                payments: CheckoutPayments(database: database, gateways: gateways, clock: clock), clock: clock)),
        ]
    }

    public static func services(configuration: AtelierConfiguration, database: any DatabaseClient, assetStorage: any AssetStorage,
                                cipher: PersonalDataCipher, gateways: PaymentGateways, clock: WallClock, logger: Logger,
                                workers: Int) -> [any Service] {
        guard workers > 0 else { return [] }
        let handlers = handlers(configuration: configuration, database: database, assetStorage: assetStorage, cipher: cipher,
                                gateways: gateways, clock: clock)
        var services: [any Service] = (0..<workers).map { _ in
            JobWorker(database: database, handlers: handlers, clock: clock, logger: logger)
        }
        var periodic = PeriodicJobs(database: database, clock: clock, logger: logger)
        // Payments whose webhook never came are looked up at their provider (ATELIER_RECONCILE_INTERVAL_SECONDS).
        periodic.schedule.append((PaymentReconciliationJobs.kind, configuration.commerce.reconcileInterval))
        periodic.tick = min(periodic.tick, configuration.commerce.reconcileInterval)
        services.append(periodic)
        // Outbox events to their subscriptions (partner webhooks, the fulfillment service, emails): at least once,
        // in order per aggregate.
        services.append(EventDeliveryService(
            database: database, subscriptions: webhookSubscriptions(configuration, cipher: cipher, clock: clock),
            settings: configuration.delivery.webhooks, fulfillment: configuration.delivery.fulfillment, mail: configuration.delivery.mail, clock: clock, logger: logger))
        return services
    }

    static func webhookSubscriptions(_ configuration: AtelierConfiguration, cipher: PersonalDataCipher, clock: WallClock) -> WebhookSubscriptionStore {
        WebhookSubscriptionStore(cipher: cipher, guardrail: configuration.delivery.webhooks.addressGuard, clock: clock)
    }
}

/// Queues the periodic jobs. Each period's job has a dedupe key naming the period, so however many
/// nodes run this, each job is queued once per period.
struct PeriodicJobs: Service {
    let database: any DatabaseClient
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
                    let queue = JobQueue(backend: database.backend, clock: clock)
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
