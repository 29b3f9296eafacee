import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import AsyncHTTPClient
import Foundation
import Logging
import Metrics
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// Dispatches outbox events to deliveries and sends them: `workers` loops per process, each claiming
/// one due delivery at a time under a lease. At-least-once: a delivery is marked done only after the
/// receiver's 2xx, so a process killed mid-send leaves a lease that runs out and the delivery is sent
/// again (receivers de-duplicate by `webhook-id`, the event id).
public struct WebhookDeliveryService: Service {
    public let database: any DatabaseClient
    public let subscriptions: WebhookSubscriptionStore
    public let settings: WebhookSettings
    /// The fulfillment service and how its order documents are made; nil when none is configured.
    public let fulfillment: (settings: FulfillmentSettings, documents: FulfillmentDocuments)?
    /// The shopper's emails: composed from the order when sent, through the configured transport.
    public let mail: (composer: MailComposer, transport: any MailTransport)?
    public let logger: Logger
    private let clock: WallClock
    /// Vets partner URLs before each delivery and names the address to connect to.
    var addressGuard: AddressGuard
    /// How long a claimed delivery is this worker's: longer than any send can take, so only a dead worker's
    /// delivery is taken over.
    var lease: TimeInterval {
        let longest = max(settings.totalTimeout, mail?.transport.longestSend ?? .zero)
        return max(30, 2 * Double(longest.components.seconds))
    }

    public init(database: any DatabaseClient, subscriptions: WebhookSubscriptionStore, settings: WebhookSettings,
                fulfillment: FulfillmentSettings? = nil, mail: MailSettings? = nil, clock: WallClock = .system, logger: Logger) {
        self.database = database
        self.subscriptions = subscriptions
        self.settings = settings
        self.fulfillment = fulfillment.map {
            ($0, FulfillmentDocuments(cipher: subscriptions.cipher, publicBaseURL: $0.publicBaseURL, clock: clock))
        }
        self.mail = mail.map { settings in
            let transport: any MailTransport = switch settings.transport {
            case .files(let folder): FileMailTransport(directory: URL(fileURLWithPath: folder), cipher: subscriptions.cipher)
            case .smtp(let smtp): SMTPTransport(settings: smtp)
            }
            return (MailComposer(settings: settings, cipher: subscriptions.cipher, clock: clock), transport)
        }
        self.clock = clock
        self.logger = logger
        self.addressGuard = settings.addressGuard
    }

    /// The delivery client's settings; `dnsOverride` maps host names to the addresses they must connect to.
    static func clientConfiguration(_ settings: WebhookSettings, dnsOverride: [String: String] = [:]) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,  // a 3xx is a failure, never followed
            timeout: .init(connect: .nanoseconds(settings.connectTimeout.nanoseconds), read: nil))
        configuration.connectionPool = .init(idleTimeout: .seconds(30))
        configuration.dnsOverride = dnsOverride
        return configuration
    }

    public func run() async throws {
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: Self.clientConfiguration(settings))
        let stopping = StopFlag()
        await withGracefulShutdownHandler {
            // The schema may still be migrating when this starts: wait until the tables answer.
            while !stopping.isSet, !Task.isCancelled {
                if (try? await database.withConnection({ db in try await db.raw("SELECT 1 AS one FROM webhook_deliveries LIMIT 1").all() })) != nil {
                    break
                }
                try? await Task.sleep(for: .milliseconds(500))
            }
            if let fulfillment = self.fulfillment?.settings {
                let subscriptions = self.subscriptions
                do {
                    try await database.transaction { db in
                        try await subscriptions.ensureFulfillment(url: fulfillment.url, secret: fulfillment.secret, on: db)
                    }
                } catch {
                    logger.error("could not set up the fulfillment subscription", metadata: ["error": .string(String(reflecting: error))])
                }
            }
            if let mail = self.mail?.composer.settings {
                let subscriptions = self.subscriptions
                let target = switch mail.transport {
                case .files(let folder): "file://" + folder
                case .smtp(let smtp): "smtp://\(smtp.host):\(smtp.port)"
                }
                do {
                    try await database.transaction { db in try await subscriptions.ensureMail(target: target, on: db) }
                } catch {
                    logger.error("could not set up the mail subscription", metadata: ["error": .string(String(reflecting: error))])
                }
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
        var idleRounds = 0
        while !stopping.isSet, !Task.isCancelled {
            var worked = false
            var pause = Duration.milliseconds(100 << min(idleRounds, 3))
            do {
                worked = try await runOne(worker: worker, client: client)
            } catch {
                // The database is away, say: wait longer, so the log is not flooded.
                pause = .seconds(2)
                logger.warning("webhook worker failed a round", metadata: ["error": .string(String(reflecting: error))])
            }
            idleRounds = worked ? 0 : idleRounds + 1
            if !worked {
                var slept = Duration.zero
                while slept < pause, !stopping.isSet, !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(50))
                    slept += .milliseconds(50)
                }
            }
        }
    }

    /// Dispatches new events, then sends one due delivery; false when there was nothing to do.
    @discardableResult
    public func runOne(worker: String, client: HTTPClient) async throws -> Bool {
        let store = WebhookDeliveryStore(clock: clock)
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
        let claimed = try await database.transaction { db -> (WebhookDelivery, WebhookSubscription, [String], String)? in
            guard let delivery = try await store.claim(worker: worker, lease: lease, on: db),
                  let subscription = try await subscriptions.find(id: delivery.subscriptionId, on: db),
                  let attemptId = try await store.beginAttempt(delivery, url: subscription.url, worker: worker, on: db)
            else { return nil }
            return (delivery, subscription, try await subscriptions.signingSecrets(id: delivery.subscriptionId, on: db), attemptId)
        }
        guard let (delivery, subscription, secrets, attemptId) = claimed else { return dispatched > 0 }
        let result = subscription.kind == .mail
            ? await sendMail(delivery)
            : await send(delivery, to: subscription, secrets: secrets, client: client)
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

    /// One POST with the Standard Webhooks headers; never throws — every failure is a result.
    func send(_ delivery: WebhookDelivery, to subscription: WebhookSubscription, secrets: [String], client: HTTPClient) async
        -> WebhookDeliveryStore.Result {
        let url = subscription.url
        let started = ContinuousClock.now
        func elapsed() -> Int { Int((ContinuousClock.now - started).milliseconds) }
        // The fulfillment URL comes from the operator's configuration, not from the admin API: trusted as is.
        // A partner URL is vetted now, and its name is pinned to the address vetted: the HTTP client connects
        // there (with the name still in `Host`, in TLS's server name and in the certificate check) and never
        // looks the name up itself, so a name re-pointed after the check (DNS rebinding) changes nothing.
        var pinned: [String: String] = [:]
        if subscription.kind == .partner {
            switch await addressGuard.vetOffThread(url) {
            case .refused(let why):
                return .init(status: nil, latencyMs: 0, responseExcerpt: nil, error: "refused: the URL \(why)", retryAfter: nil)
            case .allowed(let host, let address?):
                // The client finds the override under the host as it reads it from the URL: it must be the one vetted.
                guard let clientHost = URL(string: url)?.host, clientHost == host else {
                    return .init(status: nil, latencyMs: 0, responseExcerpt: nil, error: "refused: the URL's host cannot be read unambiguously",
                                 retryAfter: nil)
                }
                pinned[host] = address.description
            case .allowed(_, .none):
                break  // an address literal: nothing to look up
            }
        }
        var payload = delivery.payload
        if subscription.kind == .fulfillment, delivery.eventType == "order.created", let documents = fulfillment?.documents {
            // The whole order, customer included, made now from the sealed data (never stored in the clear).
            do {
                let built = try await database.withConnection { db in
                    try await documents.orderDocument(eventId: delivery.eventId, orderId: delivery.aggregateId, on: db)
                }
                guard let built else {
                    return .init(status: nil, latencyMs: 0, responseExcerpt: nil, error: "the order no longer exists", retryAfter: nil)
                }
                payload = built
            } catch {
                return .init(status: nil, latencyMs: 0, responseExcerpt: nil, error: "could not build the order: \(error)", retryAfter: nil)
            }
        }
        let body = Array(payload.utf8)
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Atelier-Webhooks/1")
        for (name, value) in WebhookSigner.headers(secrets: secrets, id: delivery.eventId, timestamp: Int(clock.now.timeIntervalSince1970), body: body) {
            request.headers.add(name: name, value: value)
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        guard !pinned.isEmpty else { return await post(request, through: client, elapsed: elapsed) }
        // The override is a client setting: a pinned delivery gets a client of its own, closed after it.
        let pinnedClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: Self.clientConfiguration(settings, dnsOverride: pinned))
        let result = await post(request, through: pinnedClient, elapsed: elapsed)
        try? await pinnedClient.shutdown()
        return result
    }

    /// Sends the request and reads the start of the answer; every failure is a result.
    private func post(_ request: HTTPClientRequest, through client: HTTPClient, elapsed: () -> Int) async -> WebhookDeliveryStore.Result {
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(settings.totalTimeout.nanoseconds))
            let excerpt = try? await response.body.collect(upTo: 64 * 1024)
            let text = excerpt.map { String(buffer: $0) }.map { String($0.prefix(500)) }
            let retryAfter = response.headers.first(name: "Retry-After").flatMap(Self.retryAfter)
            return .init(status: Int(response.status.code), latencyMs: elapsed(), responseExcerpt: text, error: nil, retryAfter: retryAfter)
        } catch {
            return .init(status: nil, latencyMs: elapsed(), responseExcerpt: nil, error: String(String(describing: error).prefix(300)), retryAfter: nil)
        }
    }

    /// Writes and sends the email an event calls for; the result reads like an SMTP reply.
    func sendMail(_ delivery: WebhookDelivery) async -> WebhookDeliveryStore.Result {
        guard let mail else { return .init(status: nil, latencyMs: 0, responseExcerpt: nil, error: "mail is not configured", retryAfter: nil) }
        let started = ContinuousClock.now
        func elapsed() -> Int { Int((ContinuousClock.now - started).milliseconds) }
        do {
            let composer = mail.composer
            guard let message = try await database.withConnection({ db in try await composer.message(for: delivery, on: db) }) else {
                return .init(status: 250, latencyMs: elapsed(), responseExcerpt: "no email for this event", error: nil, retryAfter: nil)
            }
            let reply = try await mail.transport.send(message)
            return .init(status: 250, latencyMs: elapsed(), responseExcerpt: reply, error: nil, retryAfter: nil)
        } catch let error as SMTPError {
            return .init(status: error.code, latencyMs: elapsed(), responseExcerpt: nil, error: error.description, retryAfter: nil)
        } catch {
            return .init(status: nil, latencyMs: elapsed(), responseExcerpt: nil, error: String(String(describing: error).prefix(300)), retryAfter: nil)
        }
    }

    /// `Retry-After` as seconds or an HTTP date.
    static func retryAfter(_ value: String) -> TimeInterval? {
        if let seconds = Int(value.trimmingCharacters(in: .whitespaces)), seconds >= 0 { return TimeInterval(seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: value).map { max(0, $0.timeIntervalSinceNow) }
    }
}
