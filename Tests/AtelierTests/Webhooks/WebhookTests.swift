import AsyncHTTPClient
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
import Logging
import SQLKit
import Testing

@Suite struct WebhookTests {
    let cipher = PersonalDataCipher.random()

    @Test func signaturesMatchTheStandardWebhooksReference() {
        // The example of the Standard Webhooks specification, also what the `standardwebhooks` library answers.
        let signature = WebhookSigner.signature(secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
                                                timestamp: 1_614_265_330, body: Array(#"{"test": 2432232314}"#.utf8))
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        let headers = WebhookSigner.headers(secrets: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", WebhookSigner.newSecret()], id: "msg_1",
                                            timestamp: 1, body: [])
        #expect(headers.first { $0.0 == "webhook-signature" }?.1.split(separator: " ").count == 2)
        #expect(WebhookSigner.signature(secret: "not-a-secret", id: "m", timestamp: 1, body: []) == nil)
        #expect(WebhookSigner.newSecret().hasPrefix("whsec_"))
    }

    @Test func internalAddressesAreRefusedUnlessAllowed() {
        let guardrail = AddressGuard(allowPrivate: false)
        for url in ["http://127.0.0.1:8080/hook", "http://localhost/hook", "http://10.1.2.3/", "http://169.254.169.254/latest/meta-data",
                    "http://[::1]:9000/", "http://[fd00::1]/", "http://100.64.0.1/", "http://192.168.1.10/", "http://172.20.0.5/",
                    "http://0.0.0.0/", "http://[::ffff:127.0.0.1]/", "http://224.0.0.1/"] {
            guard case .refused = guardrail.check(url) else {
                Issue.record("\(url) was allowed")
                continue
            }
        }
        #expect(guardrail.check("https://93.184.216.34/hook") == .allowed)
        #expect(guardrail.check("http://[2606:4700:4700::1111]/hook") == .allowed)
        for bad in ["ftp://example.com/", "https://user:pw@93.184.216.34/", "https://93.184.216.34/#x", "not a url", "https:///path"] {
            guard case .refused = guardrail.check(bad) else {
                Issue.record("\(bad) was allowed")
                continue
            }
        }
        #expect(AddressGuard(allowPrivate: true).check("http://127.0.0.1:8080/hook") == .allowed)
        // An allowlist refuses every other name before any lookup.
        let listed = AddressGuard(allowPrivate: true, allowedHosts: ["127.0.0.1"])
        #expect(listed.check("http://127.0.0.1:9/x") == .allowed)
        guard case .refused = listed.check("https://partner.example/hook") else {
            Issue.record("a host outside the allowlist was allowed")
            return
        }
    }

    @Test func retriesFollowTheScheduleWithJitterAndRetryAfter() {
        let policy = DeliveryRetryPolicy.standard
        for attempt in 1...policy.delays.count {
            let delay = policy.delay(after: attempt, retryAfter: nil)!
            #expect(abs(delay - policy.delays[attempt - 1]) <= policy.delays[attempt - 1] * 0.1 + 1e-9)
        }
        #expect(policy.delay(after: policy.delays.count + 1, retryAfter: nil) == nil)
        #expect(policy.delay(after: 1, retryAfter: 120) == 120)
        #expect(policy.delay(after: 1, retryAfter: 10_000_000) == 86_400)
        // About three days in all.
        #expect((2.9 * 86_400...3.3 * 86_400).contains(policy.delays.reduce(0, +)))
        #expect(SignedPost.retryAfter("7") == 7)
        #expect(SignedPost.retryAfter("soon") == nil)
    }

    /// A subscription to everything and three events: two for one order, one for another.
    func setUp(_ database: any DatabaseClient) async throws -> (WebhookSubscriptionStore, WebhookSubscription) {
        let store = WebhookSubscriptionStore(cipher: cipher, guardrail: AddressGuard(allowPrivate: true))
        let (subscription, _) = try await database.transaction { db in
            try await store.create(.init(url: "http://127.0.0.1:9/hook", eventTypes: ["order.created", "order.status_changed"]), on: db)
        }
        try await database.transaction { db in
            try await Outbox.record("order.created", aggregateId: "ord_a", data: ["n": "1"], at: Date(), on: db)
            try await Outbox.record("checkout.expired", aggregateId: "chk_x", data: ["n": "2"], at: Date(), on: db)
            try await Outbox.record("order.status_changed", aggregateId: "ord_a", data: ["n": "3"], at: Date(), on: db)
            try await Outbox.record("order.created", aggregateId: "ord_b", data: ["n": "4"], at: Date(), on: db)
        }
        return (store, subscription)
    }

    @Test func eventsFanOutOnceAndOneOrdersEventsGoInOrder() async throws {
        try await TestDatabase.with { database in
            let (subscriptions, subscription) = try await setUp(database)
            let deliveries = EventDeliveryStore()
            #expect(try await database.transaction { db in try await deliveries.dispatch(subscriptions: subscriptions, on: db) } == 4)
            #expect(try await database.transaction { db in try await deliveries.dispatch(subscriptions: subscriptions, on: db) } == 0)
            let listed = try await database.withConnection { db in
                try await deliveries.list(subscriptionId: subscription.id, status: nil, page: .init(limit: 10), on: db)
            }
            // checkout.expired is not subscribed to.
            #expect(listed.items.map(\.eventType).sorted() == ["order.created", "order.created", "order.status_changed"])

            // While ord_a's first event is pending (leased), its second waits; ord_b goes ahead.
            let first = try #require(try await database.transaction { db in try await deliveries.claim(worker: "w1", lease: 60, on: db) })
            let second = try #require(try await database.transaction { db in try await deliveries.claim(worker: "w2", lease: 60, on: db) })
            #expect(first.aggregateId == "ord_a" && first.eventType == "order.created")
            #expect(second.aggregateId == "ord_b")
            #expect(try await database.transaction { db in try await deliveries.claim(worker: "w3", lease: 60, on: db) } == nil)

            // A failure schedules the retry and still holds ord_a's later event back.
            let failed = DeliveryResult(status: 503, latencyMs: 3, responseExcerpt: "busy", error: nil, retryAfter: 30)
            let policy = DeliveryRetryPolicy(delays: [30, 60])
            #expect(try await database.transaction { db in
                try await deliveries.record(failed, for: first, url: subscription.url, worker: "w1", policy: policy, on: db)
            } == .pending)
            // A worker whose lease was taken over cannot record.
            #expect(try await database.transaction { db in
                try await deliveries.record(failed, for: second, url: subscription.url, worker: "someone-else", policy: policy, on: db)
            } == nil)
            #expect(try await database.transaction { db in try await deliveries.claim(worker: "w3", lease: 60, on: db) } == nil)
            // ...and idle workers are told so: a held-back event is no work (they would otherwise claim in vain every poll).
            #expect(try await database.withConnection { db in try await deliveries.work(on: db) }.due == false)
            let afterFailure = try #require(try await database.withConnection { db in try await deliveries.find(id: first.id, on: db) })
            #expect(afterFailure.attempts == 1 && afterFailure.lastStatus == 503)
            #expect((29...31).contains(afterFailure.nextAttemptAt.timeIntervalSinceNow))
            let attempts = try await database.withConnection { db in try await deliveries.attempts(deliveryId: first.id, on: db) }
            #expect(attempts.map(\.status) == [503] && attempts.first?.responseExcerpt == "busy")

            // Delivered: ord_a's next event is free to go.
            _ = try await database.transaction { db in try await deliveries.redeliver(id: first.id, on: db) }
            let again = try #require(try await database.transaction { db in try await deliveries.claim(worker: "w1", lease: 60, on: db) })
            #expect(again.id == first.id)
            let ok = DeliveryResult(status: 204, latencyMs: 2, responseExcerpt: nil, error: nil, retryAfter: nil)
            #expect(try await database.transaction { db in
                try await deliveries.record(ok, for: again, url: subscription.url, worker: "w1", policy: policy, on: db)
            } == .succeeded)
            let next = try #require(try await database.transaction { db in try await deliveries.claim(worker: "w1", lease: 60, on: db) })
            #expect(next.aggregateId == "ord_a" && next.eventType == "order.status_changed")
        }
    }

    @Test func theLastFailureIsDeadAnd410OrDaysOfFailureTurnTheSubscriptionOff() async throws {
        try await TestDatabase.with { database in
            let (subscriptions, subscription) = try await setUp(database)
            let deliveries = EventDeliveryStore()
            _ = try await database.transaction { db in try await deliveries.dispatch(subscriptions: subscriptions, on: db) }
            let noRetry = DeliveryRetryPolicy(delays: [], disableAfter: 3 * 86_400)
            let first = try #require(try await database.transaction { db in try await deliveries.claim(worker: "w", lease: 60, on: db) })
            let refused = DeliveryResult(status: nil, latencyMs: 1, responseExcerpt: nil, error: "connection refused", retryAfter: nil)
            #expect(try await database.transaction { db in
                try await deliveries.record(refused, for: first, url: subscription.url, worker: "w", policy: noRetry, on: db)
            } == .dead)
            var current = try #require(try await database.withConnection { db in try await subscriptions.find(id: subscription.id, on: db) })
            #expect(current.active && current.failingSince != nil)

            // 410 Gone: the receiver wants nothing more; pending deliveries are cancelled.
            let second = try #require(try await database.transaction { db in try await deliveries.claim(worker: "w", lease: 60, on: db) })
            let gone = DeliveryResult(status: 410, latencyMs: 1, responseExcerpt: nil, error: nil, retryAfter: nil)
            #expect(try await database.transaction { db in
                try await deliveries.record(gone, for: second, url: subscription.url, worker: "w", policy: noRetry, on: db)
            } == .cancelled)
            current = try #require(try await database.withConnection { db in try await subscriptions.find(id: subscription.id, on: db) })
            #expect(!current.active)
            #expect(current.disabledReason?.contains("410") == true)
            #expect(try await database.transaction { db in try await deliveries.claim(worker: "w", lease: 60, on: db) } == nil)

            // Re-activated, then failing for longer than allowed: off again, with the reason.
            _ = try await database.transaction { db in
                try await subscriptions.replace(id: subscription.id, with: .init(url: subscription.url, eventTypes: ["*"]), on: db)
            }
            try await database.withConnection { db in
                try await db.raw("UPDATE webhook_subscriptions SET failing_since = \(bind: Date().addingTimeInterval(-4 * 86_400))").run()
            }
            _ = try await database.transaction { db in try await deliveries.redeliver(id: second.id, on: db) }
            let third = try #require(try await database.transaction { db in try await deliveries.claim(worker: "w", lease: 60, on: db) })
            _ = try await database.transaction { db in
                try await deliveries.record(refused, for: third, url: subscription.url, worker: "w", policy: .standard, on: db)
            }
            current = try #require(try await database.withConnection { db in try await subscriptions.find(id: subscription.id, on: db) })
            #expect(!current.active)
            #expect(current.disabledReason?.contains("failed since") == true)
        }
    }

    @Test func aRotatedSecretSignsBesideTheNewOneUntilTheOverlapEnds() async throws {
        try await TestDatabase.with { database in
            let (subscriptions, subscription) = try await setUp(database)
            let before = try await database.withConnection { db in try await subscriptions.signingSecrets(id: subscription.id, on: db) }
            #expect(before.count == 1)
            let (_, secret) = try await database.transaction { db in try await subscriptions.rotateSecret(id: subscription.id, overlap: 3600, on: db) }
            let during = try await database.withConnection { db in try await subscriptions.signingSecrets(id: subscription.id, on: db) }
            #expect(during == [secret, before[0]])
            _ = try await database.transaction { db in try await subscriptions.rotateSecret(id: subscription.id, overlap: 0, on: db) }
            let after = try await database.withConnection { db in try await subscriptions.signingSecrets(id: subscription.id, on: db) }
            #expect(after.count == 1 && after[0] != secret)
            // Secrets are sealed at rest.
            let stored = try await database.withConnection { db in
                try await db.raw("SELECT secret FROM webhook_subscriptions").first(decodingColumn: "secret", as: String.self)
            }
            #expect(stored?.hasPrefix("v1.") == true && stored?.contains("whsec_") == false)
        }
    }

    @Test func anUnreachableReceiverIsRetriedLaterAndEveryAttemptIsLogged() async throws {
        try await TestDatabase.with { database in
            let (subscriptions, subscription) = try await setUp(database)
            var settings = WebhookSettings(allowPrivateTargets: true, workers: 1, retry: DeliveryRetryPolicy(delays: [60]))
            settings.totalTimeout = .seconds(2)
            let service = EventDeliveryService(database: database, subscriptions: subscriptions, settings: settings,
                                               logger: Logger(label: "test"))
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            let worked = try await service.runOne(worker: "w", client: client)
            try await client.shutdown()
            #expect(worked)
            let listed = try await database.withConnection { db in
                try await EventDeliveryStore().list(subscriptionId: subscription.id, status: .pending, page: .init(limit: 10), on: db)
            }
            let tried = try #require(listed.items.first { $0.attempts == 1 })
            #expect(tried.lastStatus == nil && tried.lastError != nil)
            #expect(tried.nextAttemptAt.timeIntervalSinceNow > 50)
        }
    }

    @Test func anAddressAllowedWhenSavedIsCheckedAgainBeforeEachDelivery() async throws {
        try await TestDatabase.with { database in
            // Saved while private targets were allowed; the service now refuses them (a name can also move to an
            // internal address after it was saved).
            let (subscriptions, subscription) = try await setUp(database)
            let settings = WebhookSettings(allowPrivateTargets: false, workers: 1, retry: DeliveryRetryPolicy(delays: [60]))
            let service = EventDeliveryService(database: database, subscriptions: subscriptions, settings: settings,
                                               logger: Logger(label: "test"))
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            let worked = try await service.runOne(worker: "w", client: client)
            try await client.shutdown()
            #expect(worked)
            let listed = try await database.withConnection { db in
                try await EventDeliveryStore().list(subscriptionId: subscription.id, status: .pending, page: .init(limit: 10), on: db)
            }
            let tried = try #require(listed.items.first { $0.attempts == 1 })
            #expect(tried.lastStatus == nil)
            #expect(tried.lastError?.contains("internal address") == true, "\(tried.lastError ?? "")")
        }
    }
}
