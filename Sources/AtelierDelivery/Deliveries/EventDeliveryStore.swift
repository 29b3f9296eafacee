import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import Foundation
import SQLKit

/// Fans outbox events out to subscriptions and keeps each delivery's state and attempts.
public struct EventDeliveryStore: Sendable {
    private let clock: WallClock

    public init(clock: WallClock = .system) { self.clock = clock }

    /// Turns undispatched outbox events into deliveries for every active subscription that wants them, in
    /// `seq` order, and marks the events dispatched. One dispatcher at a time (an advisory lock on
    /// PostgreSQL; SQLite serializes writers), so deliveries of one aggregate are made in event order.
    @discardableResult
    public func dispatch(limit: Int = 200, subscriptions: WebhookSubscriptionStore, on db: any SQLDatabase) async throws -> Int {
        if db.dialect.name == "postgresql" {
            let locked = try await db.raw("SELECT pg_try_advisory_xact_lock(7263510001) AS locked").first(decodingColumn: "locked", as: Bool.self)
            guard locked == true else { return 0 }
        }
        let events = try await db.raw("""
            SELECT id, seq, type, aggregate_id, payload, trace_parent FROM outbox WHERE dispatched_at IS NULL ORDER BY seq LIMIT \(unsafeRaw: String(limit))
            """).all()
        guard !events.isEmpty else { return 0 }
        let active = try await subscriptions.active(on: db)
        let now = clock.now
        var dispatched: [any Encodable & Sendable] = []
        for event in events {
            let id = try event.decode(column: "id", as: String.self), type = try event.decode(column: "type", as: String.self)
            for subscription in active where subscription.wants(type) {
                try await insert(subscriptionId: subscription.id, eventId: id, eventType: type, seq: try event.decode(column: "seq", as: Int64.self),
                                 aggregateId: try event.decode(column: "aggregate_id", as: String.self),
                                 payload: try event.decode(column: "payload", as: String.self),
                                 traceParent: try event.decode(column: "trace_parent", as: String?.self), at: now, on: db)
            }
            dispatched.append(id)
        }
        // Marked in one statement, in the same transaction as the deliveries they made.
        try await db.raw("UPDATE outbox SET dispatched_at = \(bind: now) WHERE id IN (\(binds: dispatched))").run()
        return events.count
    }

    func insert(subscriptionId: String, eventId: String, eventType: String, seq: Int64, aggregateId: String, payload: String,
                traceParent: String? = nil, at now: Date, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO webhook_deliveries (id, subscription_id, event_id, event_type, seq, aggregate_id, payload, status, attempts,
                next_attempt_at, created_at, trace_parent)
            VALUES (\(bind: Identifier.make(prefix: "whd", at: now)), \(bind: subscriptionId), \(bind: eventId), \(bind: eventType), \(bind: seq),
                \(bind: aggregateId), \(bind: payload), 'pending', 0, \(bind: now), \(bind: now), \(bind: traceParent ?? TraceParent.current))
            ON CONFLICT (subscription_id, event_id) DO NOTHING
            """).run()
    }

    /// A `webhook.test` event for one subscription, delivered like any other.
    public func sendTest(to subscription: WebhookSubscription, on db: any SQLDatabase) async throws -> EventDelivery {
        let now = clock.now
        let eventId = Identifier.make(prefix: "evt", at: now)
        struct Envelope: Encodable {
            struct Payload: Encodable { var subscriptionId: String; var message: String }
            var id: String
            var type = "webhook.test"
            var version = 1
            var occurredAt: String
            var data: Payload
        }
        let payload = try Coding.encode(Envelope(id: eventId, occurredAt: ISO8601DateFormatter().string(from: now),
                                                 data: .init(subscriptionId: subscription.id, message: "A test event from Atelier.")))
        try await insert(subscriptionId: subscription.id, eventId: eventId, eventType: "webhook.test", seq: 0, aggregateId: subscription.id,
                         payload: payload, at: now, on: db)
        guard let delivery = try await db.select().column("*").from("webhook_deliveries").where("subscription_id", .equal, subscription.id)
            .where("event_id", .equal, eventId).first().map(Self.delivery)
        else { throw AtelierError.internalError }
        return delivery
    }

    /// Whether there are events to dispatch and deliveries due (including leases that ran out).
    public func work(on db: any SQLDatabase) async throws -> (undispatched: Bool, due: Bool) {
        let now = clock.now
        let undispatched = try await db.raw("SELECT 1 AS one FROM outbox WHERE dispatched_at IS NULL LIMIT 1").first() != nil
        let due = try await db.raw("SELECT 1 AS one \(Self.claimable(at: now)) LIMIT 1").first() != nil
        return (undispatched, due)
    }

    /// When the next pending delivery falls due, if one is scheduled later than now: an idle worker wakes for it
    /// instead of at the end of its back-off, so a retry leaves when its schedule says.
    public func nextAttempt(on db: any SQLDatabase) async throws -> Date? {
        try await db.raw("""
            SELECT MIN(next_attempt_at) AS t FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at > \(bind: clock.now)
            """).first(decodingColumn: "t", as: Date?.self) ?? nil
    }

    /// The deliveries a worker may take at `now`: pending, due, not leased, of an active subscription (an
    /// inactive one is paused: its deliveries wait), and with no earlier pending delivery of the same
    /// aggregate to the same subscription (so one order's events arrive in order). One text for `work` and
    /// `claim`, so that "there is work" never means a delivery no claim can take.
    static func claimable(at now: Date) -> SQLQueryString {
        """
        FROM webhook_deliveries d
        JOIN webhook_subscriptions s ON s.id = d.subscription_id AND s.active = \(bind: true)
        WHERE d.status = 'pending' AND d.next_attempt_at <= \(bind: now) AND (d.locked_until IS NULL OR d.locked_until < \(bind: now))
          AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.subscription_id = d.subscription_id
                          AND e.aggregate_id = d.aggregate_id AND e.seq < d.seq AND e.status = 'pending')
        """
    }

    /// Claims the next `claimable` delivery for `lease`.
    public func claim(worker: String, lease: TimeInterval, on db: any SQLDatabase) async throws -> EventDelivery? {
        let now = clock.now
        // Only the delivery's row: locking the joined subscription row too would make every worker skip every
        // delivery of a subscription while one of them claims.
        let lock = db.dialect.name == "postgresql" ? " FOR UPDATE OF d SKIP LOCKED" : ""
        return try await db.raw("""
            UPDATE webhook_deliveries SET locked_until = \(bind: now.addingTimeInterval(lease)), locked_by = \(bind: worker)
            WHERE id = (SELECT d.id \(Self.claimable(at: now)) ORDER BY d.next_attempt_at LIMIT 1\(unsafeRaw: lock))
            RETURNING *
            """).first().map(Self.delivery)
    }

    /// Writes the attempt down before anything is sent, so an attempt cut short by a crash stays visible
    /// ("in progress", never finished) — an email or webhook is never sent twice without a trace.
    public func beginAttempt(_ delivery: EventDelivery, url: String, worker: String, on db: any SQLDatabase) async throws -> String? {
        // Called in the transaction whose `claim` locked the delivery for this worker: it is held, no need to ask again.
        let now = clock.now
        let id = Identifier.make(prefix: "wha", at: now)
        // Numbered after every attempt before it, those cut short by a crash too.
        try await db.raw("""
            INSERT INTO webhook_attempts (id, delivery_id, number, at, url, status, latency_ms, response_excerpt, error)
            SELECT \(bind: id), \(bind: delivery.id), COUNT(*) + 1, \(bind: now), \(bind: url), NULL, 0, NULL,
                'in progress: no outcome was recorded (the sender stopped)'
            FROM webhook_attempts WHERE delivery_id = \(bind: delivery.id)
            """).run()
        return id
    }

    /// Records an attempt's outcome and decides what comes next: done, again later, dead, or (410) the
    /// subscription off. Only the worker holding the lease may record (a late worker whose lease ran out is ignored).
    @discardableResult
    public func record(_ result: DeliveryResult, for delivery: EventDelivery, attemptId: String? = nil, url: String, worker: String,
                       policy: DeliveryRetryPolicy, on db: any SQLDatabase) async throws -> EventDelivery.Status? {
        let now = clock.now
        // Held by this worker, read with the number of attempts so far: every attempt counts, those cut short by a crash too.
        guard let held = try await db.raw("""
            SELECT (SELECT COUNT(*) FROM webhook_attempts a WHERE a.delivery_id = d.id) AS n FROM webhook_deliveries d
            WHERE d.id = \(bind: delivery.id) AND d.locked_by = \(bind: worker) AND d.status = 'pending'\(unsafeRaw: db.rowLock())
            """).first(decodingColumn: "n", as: Int.self)
        else { return nil }
        let attempt: Int
        if let attemptId {
            attempt = held
            try await db.raw("""
                UPDATE webhook_attempts SET status = \(bind: result.status), latency_ms = \(bind: result.latencyMs),
                    response_excerpt = \(bind: result.responseExcerpt), error = \(bind: result.error)
                WHERE id = \(bind: attemptId)
                """).run()
        } else {
            attempt = held + 1
            try await db.raw("""
                INSERT INTO webhook_attempts (id, delivery_id, number, at, url, status, latency_ms, response_excerpt, error)
                VALUES (\(bind: Identifier.make(prefix: "wha", at: now)), \(bind: delivery.id), \(bind: attempt), \(bind: now), \(bind: url),
                    \(bind: result.status), \(bind: result.latencyMs), \(bind: result.responseExcerpt), \(bind: result.error))
                """).run()
        }
        let status: EventDelivery.Status
        var next = now
        if result.succeeded {
            status = .succeeded
            // Only when it was failing: an unconditional write would make every worker queue on the subscription's row.
            try await db.raw("""
                UPDATE webhook_subscriptions SET failing_since = NULL WHERE id = \(bind: delivery.subscriptionId) AND failing_since IS NOT NULL
                """).run()
        } else if result.status == 410 {
            // The receiver says this endpoint is gone for good: stop sending anything to it.
            status = .cancelled
            try await disable(delivery.subscriptionId, reason: "The receiver answered 410 Gone on \(ISO8601DateFormatter().string(from: now)).",
                              on: db)
        } else {
            if let delay = policy.delay(after: attempt, retryAfter: result.retryAfter) {
                status = .pending
                next = now.addingTimeInterval(delay)
            } else {
                status = .dead
            }
            try await db.raw("""
                UPDATE webhook_subscriptions SET failing_since = \(bind: now) WHERE id = \(bind: delivery.subscriptionId) AND failing_since IS NULL
                """).run()
            if let since = try await db.select().column("failing_since").from("webhook_subscriptions").where("id", .equal, delivery.subscriptionId)
                .first(decodingColumn: "failing_since", as: Date?.self) ?? nil, now.timeIntervalSince(since) >= policy.disableAfter {
                try await disable(delivery.subscriptionId, reason: "Every delivery failed since \(ISO8601DateFormatter().string(from: since)); last: "
                                  + (result.status.map { "HTTP \($0)" } ?? result.error ?? "no answer") + ".", on: db)
            }
        }
        try await db.raw("""
            UPDATE webhook_deliveries SET status = \(bind: status.rawValue), attempts = \(bind: attempt), next_attempt_at = \(bind: next),
                locked_until = NULL, locked_by = NULL, last_status = \(bind: result.status), last_error = \(bind: result.error),
                completed_at = \(bind: status == .pending ? nil : now)
            WHERE id = \(bind: delivery.id)
            """).run()
        return status
    }

    /// Turns a subscription off with the reason an admin will read; its pending deliveries stop.
    func disable(_ subscriptionId: String, reason: String, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE webhook_subscriptions SET active = \(bind: false), disabled_reason = \(bind: reason), updated_at = \(bind: clock.now)
            WHERE id = \(bind: subscriptionId)
            """).run()
        try await db.raw("""
            UPDATE webhook_deliveries SET status = 'cancelled', completed_at = \(bind: clock.now), locked_until = NULL, locked_by = NULL
            WHERE subscription_id = \(bind: subscriptionId) AND status = 'pending'
            """).run()
    }

    /// Sends a delivery again from now on (after a fix at the receiver), whatever its state.
    public func redeliver(id: String, on db: any SQLDatabase) async throws -> EventDelivery {
        guard let delivery = try await find(id: id, on: db) else { throw AtelierError.notFound("Delivery '\(id)'") }
        try await db.raw("""
            UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = \(bind: clock.now), completed_at = NULL,
                locked_until = NULL, locked_by = NULL
            WHERE id = \(bind: delivery.id)
            """).run()
        guard let updated = try await find(id: id, on: db) else { throw AtelierError.notFound("Delivery '\(id)'") }
        return updated
    }

    public func find(id: String, on db: any SQLDatabase) async throws -> EventDelivery? {
        guard Identifier.isWellFormed(id, prefix: "whd") else { return nil }
        return try await db.select().column("*").from("webhook_deliveries").where("id", .equal, id).first().map(Self.delivery)
    }

    /// A subscription's deliveries, newest first.
    public func list(subscriptionId: String, status: EventDelivery.Status?, page: PageRequest, on db: any SQLDatabase) async throws
        -> Page<EventDelivery> {
        var query = db.select().column("*").from("webhook_deliveries").where("subscription_id", .equal, subscriptionId)
        if let status { query = query.where("status", .equal, status.rawValue) }
        if let after = page.after { query = query.where("id", .lessThan, after) }
        let rows = try await query.orderBy("id", .descending).limit(page.limit + 1).all()
        let items = try rows.prefix(page.limit).map(Self.delivery)
        return Page(items: items, nextCursor: rows.count > page.limit ? items.last.map { PageRequest.cursor(for: $0.id) } : nil)
    }

    public func attempts(deliveryId: String, on db: any SQLDatabase) async throws -> [DeliveryAttempt] {
        try await db.select().column("*").from("webhook_attempts").where("delivery_id", .equal, deliveryId).orderBy("number").all().map { row in
            DeliveryAttempt(
                number: try row.decode(column: "number", as: Int.self), at: try row.decode(column: "at", as: Date.self),
                url: try row.decode(column: "url", as: String.self), status: try row.decode(column: "status", as: Int?.self),
                latencyMs: try row.decode(column: "latency_ms", as: Int.self),
                responseExcerpt: try row.decode(column: "response_excerpt", as: String?.self), error: try row.decode(column: "error", as: String?.self))
        }
    }

    /// Queue depth for the metrics: undispatched events, pending and dead deliveries, and the age of the
    /// oldest pending one.
    public func depth(on db: any SQLDatabase) async throws -> (undispatched: Int, pending: Int, dead: Int, oldestPendingAge: TimeInterval) {
        let undispatched = try await db.raw("SELECT COUNT(*) AS n FROM outbox WHERE dispatched_at IS NULL").first(decodingColumn: "n", as: Int.self) ?? 0
        let pending = try await db.raw("SELECT COUNT(*) AS n FROM webhook_deliveries WHERE status = 'pending'").first(decodingColumn: "n", as: Int.self) ?? 0
        let dead = try await db.raw("SELECT COUNT(*) AS n FROM webhook_deliveries WHERE status = 'dead'").first(decodingColumn: "n", as: Int.self) ?? 0
        let oldest = try await db.raw("SELECT MIN(created_at) AS t FROM webhook_deliveries WHERE status = 'pending'")
            .first(decodingColumn: "t", as: Date?.self) ?? nil
        let oldestEvent = try await db.raw("SELECT MIN(created_at) AS t FROM outbox WHERE dispatched_at IS NULL")
            .first(decodingColumn: "t", as: Date?.self) ?? nil
        let first = [oldest, oldestEvent].compactMap { $0 }.min()
        return (undispatched, pending, dead, first.map { max(0, clock.now.timeIntervalSince($0)) } ?? 0)
    }

    static func delivery(_ row: any SQLRow) throws -> EventDelivery {
        EventDelivery(
            id: try row.decode(column: "id", as: String.self), subscriptionId: try row.decode(column: "subscription_id", as: String.self),
            eventId: try row.decode(column: "event_id", as: String.self), eventType: try row.decode(column: "event_type", as: String.self),
            seq: try row.decode(column: "seq", as: Int64.self), aggregateId: try row.decode(column: "aggregate_id", as: String.self),
            payload: try row.decode(column: "payload", as: String.self),
            status: EventDelivery.Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .pending,
            attempts: try row.decode(column: "attempts", as: Int.self), nextAttemptAt: try row.decode(column: "next_attempt_at", as: Date.self),
            lastStatus: try row.decode(column: "last_status", as: Int?.self), lastError: try row.decode(column: "last_error", as: String?.self),
            createdAt: try row.decode(column: "created_at", as: Date.self), completedAt: try row.decode(column: "completed_at", as: Date?.self),
            traceParent: try row.decode(column: "trace_parent", as: String?.self))
    }
}
