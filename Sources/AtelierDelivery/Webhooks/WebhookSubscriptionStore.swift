import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import Foundation
import SQLKit

/// Subscriptions with their secrets sealed at rest (they must be readable to sign, so they are
/// encrypted with the data keys rather than hashed).
public struct WebhookSubscriptionStore: Sendable {
    /// Every event type the outbox records; a subscription names some of them or `*`.
    public static let eventTypes = [
        "order.created", "order.status_changed", "payment.succeeded", "payment.failed", "payment.requires_attention",
        "checkout.expired", "checkout.cancelled", "preview.ready", "webhook.test",
    ]

    public let cipher: PersonalDataCipher
    public let guardrail: AddressGuard
    private let clock: WallClock

    public init(cipher: PersonalDataCipher, guardrail: AddressGuard, clock: WallClock = .system) {
        self.cipher = cipher
        self.guardrail = guardrail
        self.clock = clock
    }

    func validate(_ input: WebhookSubscriptionInput) async throws {
        var problems = ValidationErrors()
        if case .refused(let why) = await guardrail.checkOffThread(input.url) { problems.add("/url", .urlRefused, "The URL \(why).") }
        if input.eventTypes.isEmpty { problems.add("/eventTypes", .empty, "name at least one event type, or \"*\".") }
        for (index, type) in input.eventTypes.enumerated() where type != "*" && !Self.eventTypes.contains(type) {
            problems.add("/eventTypes/\(index)", .unknownEventType, "use one of: *, \(Self.eventTypes.joined(separator: ", ")).")
        }
        if let description = input.description, description.count > 500 || description.containsNUL {
            problems.add("/description", .tooLong, "must be at most 500 characters.")
        }
        try problems.check()
    }

    /// The new subscription and its secret (shown once).
    public func create(_ input: WebhookSubscriptionInput, on db: any SQLDatabase) async throws -> (WebhookSubscription, secret: String) {
        try await validate(input)
        let now = clock.now
        let secret = WebhookSigner.newSecret()
        let subscription = WebhookSubscription(
            id: Identifier.make(prefix: "whs", at: now), url: input.url, description: input.description, eventTypes: Self.normalized(input.eventTypes),
            active: input.active, disabledReason: nil, failingSince: nil, previousSecretExpiresAt: nil, createdAt: now, updatedAt: now)
        try await db.raw("""
            INSERT INTO webhook_subscriptions (id, url, description, event_types, active, secret, created_at, updated_at)
            VALUES (\(bind: subscription.id), \(bind: subscription.url), \(bind: subscription.description),
                \(bind: subscription.eventTypes.joined(separator: ",")), \(bind: subscription.active), \(bind: try cipher.seal(secret)),
                \(bind: now), \(bind: now))
            """).run()
        return (subscription, secret)
    }

    /// A partner subscription that the admin API may change. The fulfillment and mail subscriptions come from
    /// the configuration (their addresses skip the address guard for that reason): they are refused here.
    func editable(id: String, on db: any SQLDatabase) async throws -> WebhookSubscription {
        guard let subscription = try await find(id: id, on: db) else { throw AtelierError.notFound("Webhook subscription '\(id)'") }
        guard subscription.kind == .partner else {
            throw AtelierError(.conflict, code: .configuredSubscription, title: "Set by the configuration",
                               detail: "The \(subscription.kind.rawValue) subscription is made from the service's configuration "
                                   + "(ATELIER_FULFILLMENT_URL/_SECRET, the mail settings); change it there.")
        }
        return subscription
    }

    public func replace(id: String, with input: WebhookSubscriptionInput, on db: any SQLDatabase) async throws -> WebhookSubscription {
        try await validate(input)
        _ = try await editable(id: id, on: db)
        // Re-activating clears why it stopped and gives the receiver a fresh start.
        try await db.raw("""
            UPDATE webhook_subscriptions SET url = \(bind: input.url), description = \(bind: input.description),
                event_types = \(bind: Self.normalized(input.eventTypes).joined(separator: ",")), active = \(bind: input.active),
                disabled_reason = CASE WHEN \(bind: input.active) THEN NULL ELSE disabled_reason END,
                failing_since = CASE WHEN \(bind: input.active) THEN NULL ELSE failing_since END,
                updated_at = \(bind: clock.now)
            WHERE id = \(bind: id)
            """).run()
        guard let updated = try await find(id: id, on: db) else { throw AtelierError.notFound("Webhook subscription '\(id)'") }
        return updated
    }

    /// A new secret; the old one keeps signing too until `overlap` has passed, so the receiver can switch.
    public func rotateSecret(id: String, overlap: TimeInterval, on db: any SQLDatabase) async throws -> (WebhookSubscription, secret: String) {
        _ = try await editable(id: id, on: db)
        guard let row = try await db.raw("SELECT secret FROM webhook_subscriptions WHERE id = \(bind: id)\(unsafeRaw: db.rowLock())").first()
        else { throw AtelierError.notFound("Webhook subscription '\(id)'") }
        let old = try row.decode(column: "secret", as: String.self)
        let secret = WebhookSigner.newSecret()
        let now = clock.now
        try await db.raw("""
            UPDATE webhook_subscriptions SET secret = \(bind: try cipher.seal(secret)), previous_secret = \(bind: old),
                previous_secret_expires_at = \(bind: now.addingTimeInterval(overlap)), updated_at = \(bind: now)
            WHERE id = \(bind: id)
            """).run()
        guard let updated = try await find(id: id, on: db) else { throw AtelierError.notFound("Webhook subscription '\(id)'") }
        return (updated, secret)
    }

    public func delete(id: String, on db: any SQLDatabase) async throws {
        _ = try await editable(id: id, on: db)
        try await db.delete(from: "webhook_subscriptions").where("id", .equal, id).run()
    }

    /// The secrets a delivery is signed with now: the current one, and the previous one during its overlap.
    public func signingSecrets(id: String, on db: any SQLDatabase) async throws -> [String] {
        guard let row = try await db.select().columns("secret", "previous_secret", "previous_secret_expires_at").from("webhook_subscriptions")
            .where("id", .equal, id).first()
        else { return [] }
        var secrets = [try cipher.open(try row.decode(column: "secret", as: String.self))]
        if let previous = try row.decode(column: "previous_secret", as: String?.self),
           let until = try row.decode(column: "previous_secret_expires_at", as: Date?.self), until > clock.now {
            secrets.append(try cipher.open(previous))
        }
        return secrets
    }

    public func find(id: String, on db: any SQLDatabase) async throws -> WebhookSubscription? {
        guard Identifier.isWellFormed(id, prefix: "whs") else { return nil }
        return try await db.select().column("*").from("webhook_subscriptions").where("id", .equal, id).first().map(Self.subscription)
    }

    public func list(page: PageRequest, on db: any SQLDatabase) async throws -> Page<WebhookSubscription> {
        var query = db.select().column("*").from("webhook_subscriptions")
        if let after = page.after { query = query.where("id", .greaterThan, after) }
        let rows = try await query.orderBy("id").limit(page.limit + 1).all()
        let items = try rows.prefix(page.limit).map(Self.subscription)
        return Page(items: items, nextCursor: rows.count > page.limit ? items.last.map { PageRequest.cursor(for: $0.id) } : nil)
    }

    /// Active subscriptions, for the dispatcher.
    public func active(on db: any SQLDatabase) async throws -> [WebhookSubscription] {
        try await db.select().column("*").from("webhook_subscriptions").where("active", .equal, true).all().map(Self.subscription)
    }

    static func normalized(_ types: [String]) -> [String] {
        types.contains("*") ? ["*"] : Array(Set(types)).sorted()
    }

    static func subscription(_ row: any SQLRow) throws -> WebhookSubscription {
        var subscription = WebhookSubscription(
            id: try row.decode(column: "id", as: String.self), url: try row.decode(column: "url", as: String.self),
            description: try row.decode(column: "description", as: String?.self),
            eventTypes: try row.decode(column: "event_types", as: String.self).split(separator: ",").map(String.init),
            active: try row.decode(column: "active", as: Bool.self), disabledReason: try row.decode(column: "disabled_reason", as: String?.self),
            failingSince: try row.decode(column: "failing_since", as: Date?.self),
            previousSecretExpiresAt: try row.decode(column: "previous_secret_expires_at", as: Date?.self),
            createdAt: try row.decode(column: "created_at", as: Date.self), updatedAt: try row.decode(column: "updated_at", as: Date.self))
        subscription.kind = WebhookSubscription.Kind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .partner
        return subscription
    }

    /// The shopper's emails ride on the same deliveries (order, retries, attempts, dead letters): one
    /// subscription of kind `mail`, whose URL names the transport.
    public func ensureMail(target: String, on db: any SQLDatabase) async throws {
        let now = clock.now
        try await db.raw("""
            INSERT INTO webhook_subscriptions (id, kind, url, description, event_types, active, secret, created_at, updated_at)
            VALUES (\(bind: Identifier.make(prefix: "whs", at: now)), 'mail', \(bind: target), 'Emails to shoppers (configuration)',
                'order.created,order.status_changed', \(bind: true), \(bind: try cipher.seal(WebhookSigner.newSecret())), \(bind: now), \(bind: now))
            ON CONFLICT (kind) WHERE kind = 'mail' DO NOTHING
            """).run()
        try await db.raw("""
            UPDATE webhook_subscriptions SET url = \(bind: target), updated_at = \(bind: now) WHERE kind = 'mail' AND url <> \(bind: target)
            """).run()
    }

    /// Keeps the fulfillment service's subscription in step with the configuration: created once (a unique
    /// index on the kind), its URL and secret updated when they change, re-activated on start.
    public func ensureFulfillment(url: String, secret: String, on db: any SQLDatabase) async throws {
        let now = clock.now
        try await db.raw("""
            INSERT INTO webhook_subscriptions (id, kind, url, description, event_types, active, secret, created_at, updated_at)
            VALUES (\(bind: Identifier.make(prefix: "whs", at: now)), 'fulfillment', \(bind: url), 'The fulfillment service (configuration)',
                'order.created,order.status_changed', \(bind: true), \(bind: try cipher.seal(secret)), \(bind: now), \(bind: now))
            ON CONFLICT (kind) WHERE kind = 'fulfillment' DO NOTHING
            """).run()
        guard let row = try await db.select().columns("id", "url", "secret", "active").from("webhook_subscriptions")
            .where("kind", .equal, "fulfillment").first()
        else { return }
        let sameSecret = (try? cipher.open(try row.decode(column: "secret", as: String.self))) == secret
        if try row.decode(column: "url", as: String.self) != url || !sameSecret || !(try row.decode(column: "active", as: Bool.self)) {
            try await db.raw("""
                UPDATE webhook_subscriptions SET url = \(bind: url), secret = \(bind: try cipher.seal(secret)), active = \(bind: true),
                    disabled_reason = NULL, failing_since = NULL, updated_at = \(bind: now)
                WHERE kind = 'fulfillment'
                """).run()
        }
    }
}
