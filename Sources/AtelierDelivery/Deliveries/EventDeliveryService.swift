import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import AsyncHTTPClient
import Foundation
import Logging
import Metrics
import ServiceLifecycle

/// Dispatches outbox events to deliveries and sends them: `workers` loops per process, each claiming
/// one due delivery at a time under a lease and sending it through the channel of its subscription's kind.
/// At-least-once: a delivery is marked done only after the receiver took it, so a process killed mid-send
/// leaves a lease that runs out and the delivery is sent again (receivers de-duplicate by `webhook-id`, the
/// event id; an email keeps its `Message-ID`).
public struct EventDeliveryService: Service {
    public let database: any DatabaseClient
    public let subscriptions: WebhookSubscriptionStore
    public let settings: WebhookSettings
    /// How each subscription kind is sent; a kind without a channel (mail or fulfillment not configured) fails its deliveries.
    public let channels: [WebhookSubscription.Kind: any DeliveryChannel]
    public let logger: Logger
    private let clock: WallClock
    /// How long a claimed delivery is this worker's: longer than any send can take, so only a dead worker's
    /// delivery is taken over.
    var lease: TimeInterval {
        let longest = channels.values.map { $0.longestSend }.max() ?? .zero
        return max(30, 2 * Double(longest.components.seconds))
    }

    public init(database: any DatabaseClient, subscriptions: WebhookSubscriptionStore, settings: WebhookSettings,
                channels: [any DeliveryChannel], clock: WallClock = .system, logger: Logger) {
        self.database = database
        self.subscriptions = subscriptions
        self.settings = settings
        self.channels = Dictionary(channels.map { ($0.kind, $0) }, uniquingKeysWith: { _, last in last })
        self.clock = clock
        self.logger = logger
    }

    /// The service with `standardChannels`: partners always, the fulfillment service and emails when configured.
    public init(database: any DatabaseClient, subscriptions: WebhookSubscriptionStore, settings: WebhookSettings,
                fulfillment: FulfillmentSettings? = nil, mail: MailSettings? = nil, clock: WallClock = .system, logger: Logger) {
        self.init(database: database, subscriptions: subscriptions, settings: settings,
                  channels: Self.standardChannels(settings: settings, fulfillment: fulfillment, mail: mail, cipher: subscriptions.cipher,
                                                  clock: clock),
                  clock: clock, logger: logger)
    }

    /// Partners' webhooks, and the fulfillment service and the shopper's emails when the configuration names them.
    public static func standardChannels(settings: WebhookSettings, fulfillment: FulfillmentSettings?, mail: MailSettings?,
                                        cipher: PersonalDataCipher, clock: WallClock = .system) -> [any DeliveryChannel] {
        var channels: [any DeliveryChannel] = [PartnerWebhookChannel(settings: settings, clock: clock)]
        if let fulfillment { channels.append(FulfillmentChannel(settings: fulfillment, webhooks: settings, cipher: cipher, clock: clock)) }
        if let mail { channels.append(MailChannel(settings: mail, cipher: cipher, clock: clock)) }
        return channels
    }

    public func run() async throws {
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: SignedPost.clientConfiguration(settings))
        let stopping = StopFlag()
        await withGracefulShutdownHandler {
            // The schema may still be migrating when this starts: wait until the tables answer.
            while !stopping.isSet, !Task.isCancelled {
                if (try? await database.withConnection({ db in try await db.raw("SELECT 1 AS one FROM webhook_deliveries LIMIT 1").all() })) != nil {
                    break
                }
                try? await Task.sleep(for: .milliseconds(500))
            }
            // Each channel's own subscription (fulfillment, mail), in a fixed order.
            for channel in channels.values.sorted(by: { $0.kind.rawValue < $1.kind.rawValue }) {
                await channel.prepare(subscriptions: subscriptions, on: database, logger: logger)
            }
            await withTaskGroup(of: Void.self) { group in
                for index in 0..<max(1, settings.workers) {
                    group.addTask { await loop(worker: Identifier.make(prefix: "wdw") + "-\(index)", client: client, stopping: stopping) }
                }
            }
        } onGracefulShutdown: {
            stopping.set()
        }
        try? await client.shutdown()
    }

    func loop(worker: String, client: HTTPClient, stopping: StopFlag) async {
        // An idle worker asks again after 100 ms, then less and less often, down to every 800 ms: an idle node's
        // workers cost the database a few reads a second, not dozens, and a new event still leaves within a second.
        // A retry already scheduled wakes it when it falls due, not up to a back-off later.
        var idleRounds = 0
        let store = EventDeliveryStore(clock: clock)
        while !stopping.isSet, !Task.isCancelled {
            var worked = false
            var pause = Duration.milliseconds(100 << min(idleRounds, 3))
            do {
                worked = try await runOne(worker: worker, client: client)
                if !worked, let next = try await database.withConnection({ db in try await store.nextAttempt(on: db) }) {
                    pause = min(pause, .milliseconds(max(5, Int(next.timeIntervalSince(clock.now) * 1000))))
                }
            } catch {
                // The database is away, say: wait longer, so the log is not flooded.
                pause = .seconds(2)
                logger.warning("webhook worker failed a round", metadata: ["error": .string(String(reflecting: error))])
            }
            idleRounds = worked ? 0 : idleRounds + 1
            if !worked {
                var slept = Duration.zero
                while slept < pause, !stopping.isSet, !Task.isCancelled {
                    let step = min(.milliseconds(50), pause - slept)
                    try? await Task.sleep(for: step)
                    slept += step
                }
            }
        }
    }

    /// Dispatches new events, then sends one due delivery through its channel; false when there was nothing to do.
    /// `client` is the HTTP client the worker shares between its deliveries.
    @discardableResult
    public func runOne(worker: String, client: HTTPClient) async throws -> Bool {
        let store = EventDeliveryStore(clock: clock)
        let subscriptions = self.subscriptions
        // Reads first: an idle queue costs two indexed reads per poll, never a write transaction.
        let (undispatched, due) = try await database.withConnection { db in try await store.work(on: db) }
        var dispatched = 0
        if undispatched {
            dispatched = try await database.transaction { db in try await store.dispatch(subscriptions: subscriptions, on: db) }
        }
        let lease = self.lease
        guard due || dispatched > 0 else { return dispatched > 0 }
        // Claim, read the subscription and write the attempt down in one transaction.
        let claimed = try await database.transaction { db -> (EventDelivery, WebhookSubscription, [String], String)? in
            guard let delivery = try await store.claim(worker: worker, lease: lease, on: db),
                  let subscription = try await subscriptions.find(id: delivery.subscriptionId, on: db),
                  let attemptId = try await store.beginAttempt(delivery, url: subscription.url, worker: worker, on: db)
            else { return nil }
            return (delivery, subscription, try await subscriptions.signingSecrets(id: delivery.subscriptionId, on: db), attemptId)
        }
        guard let (delivery, subscription, secrets, attemptId) = claimed else { return dispatched > 0 }
        let channel = channels[subscription.kind], database = self.database
        // The attempt joins the trace of the change that made the event; the channel's HTTP call is a span beneath it.
        let result = await TraceParent.withSpan("deliver \(delivery.eventType)", continuing: delivery.traceParent) { () async -> DeliveryResult in
            guard let channel else { return .failed("\(subscription.kind.rawValue) is not configured") }  // "mail is not configured"
            return await channel.send(delivery, to: subscription, secrets: secrets, database: database, client: client)
        }
        let policy = settings.retry
        let status = try await database.transaction { db in
            try await store.record(result, for: delivery, attemptId: attemptId, url: subscription.url, worker: worker, policy: policy, on: db)
        }
        Counter(label: "atelier_webhook_attempts_total", dimensions: [("outcome", result.succeeded ? "succeeded" : "failed")]).increment()
        logger.info("webhook delivery attempt", metadata: [
            "delivery_id": .string(delivery.id), "event_type": .string(delivery.eventType), "attempt": .stringConvertible(delivery.attempts + 1),
            "status": .string(result.status.map(String.init) ?? "none"), "latency_ms": .stringConvertible(result.latencyMs),
            "next": .string(status?.rawValue ?? "lease lost"),
        ])
        return true
    }
}
