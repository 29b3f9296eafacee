import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Foundation
import SQLKit

/// Reads and writes `refunds`. A refund leaves `pending` once, by a conditional update, so two workers finishing the
/// same refund (a job taken over after its lease ran out) record one outcome.
public struct RefundStore: Sendable {
    public init() {}

    /// Inserts a decided refund; false when one with the same idempotency key exists already (the same money was
    /// decided before, and stays decided once).
    func insert(_ refund: Refund, on db: any SQLDatabase) async throws -> Bool {
        let lines = try refund.lines.map { try Coding.encode($0) }
        let inserted = try await db.raw("""
            INSERT INTO refunds (id, kind, order_id, checkout_id, payment_event_id, provider, payment_ref, amount, currency, reason, lines,
                status, outside, idempotency_key, attempts, last_error, provider_amount, created_at, updated_at, completed_at)
            VALUES (\(bind: refund.id), \(bind: refund.kind.rawValue), \(bind: refund.orderId), \(bind: refund.checkoutId),
                \(bind: refund.paymentEventId), \(bind: refund.provider.rawValue), \(bind: refund.paymentRef), \(bind: refund.amount),
                \(bind: refund.currency), \(bind: refund.reason), \(bind: lines), \(bind: refund.status.rawValue), \(bind: refund.outside),
                \(bind: refund.idempotencyKey), \(bind: refund.attempts), \(bind: refund.lastError), \(bind: refund.providerAmount),
                \(bind: refund.createdAt), \(bind: refund.updatedAt), \(bind: refund.completedAt))
            ON CONFLICT (idempotency_key) DO NOTHING
            RETURNING id
            """).all()
        return !inserted.isEmpty
    }

    public func find(id: String, on db: any SQLDatabase) async throws -> Refund? {
        guard Identifier.isWellFormed(id, prefix: "ref") else { return nil }
        return try await db.select().column("*").from("refunds").where("id", .equal, id).first().map(Self.refund)
    }

    public func find(idempotencyKey: String, on db: any SQLDatabase) async throws -> Refund? {
        try await db.select().column("*").from("refunds").where("idempotency_key", .equal, idempotencyKey).first().map(Self.refund)
    }

    /// An order's refunds, oldest first.
    public func list(orderId: String, on db: any SQLDatabase) async throws -> [Refund] {
        try await db.select().column("*").from("refunds").where("order_id", .equal, orderId).orderBy("created_at").orderBy("id")
            .all().map(Self.refund)
    }

    /// How many refunds are in each status.
    public func counts(on db: any SQLDatabase) async throws -> [Refund.Status: Int] {
        struct Count: Decodable { var status: String; var n: Int }
        let rows = try await db.raw("SELECT status, COUNT(*) AS n FROM refunds GROUP BY status").all(decoding: Count.self)
        var counts: [Refund.Status: Int] = [:]
        for row in rows { if let status = Refund.Status(rawValue: row.status) { counts[status] = row.n } }
        return counts
    }

    /// Records a provider call that failed and will be tried again.
    func recordAttempt(id: String, error: String, at now: Date, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE refunds SET attempts = attempts + 1, last_error = \(bind: String(error.prefix(1000))), updated_at = \(bind: now)
            WHERE id = \(bind: id) AND status = 'pending'
            """).run()
    }

    /// Marks a pending refund succeeded with what the provider refunded; nil when it was not pending any more.
    func markSucceeded(id: String, providerAmount: Int64, at now: Date, on db: any SQLDatabase) async throws -> Refund? {
        try await db.raw("""
            UPDATE refunds SET status = 'succeeded', provider_amount = \(bind: providerAmount), attempts = attempts + 1,
                updated_at = \(bind: now), completed_at = \(bind: now)
            WHERE id = \(bind: id) AND status = 'pending'
            RETURNING *
            """).first().map(Self.refund)
    }

    /// Marks a pending refund failed for good; nil when it was not pending any more.
    func markFailed(id: String, error: String, attempted: Bool, at now: Date, on db: any SQLDatabase) async throws -> Refund? {
        try await db.raw("""
            UPDATE refunds SET status = 'failed', last_error = \(bind: String(error.prefix(1000))),
                attempts = attempts + \(bind: attempted ? 1 : 0), updated_at = \(bind: now), completed_at = \(bind: now)
            WHERE id = \(bind: id) AND status = 'pending'
            RETURNING *
            """).first().map(Self.refund)
    }

    static func refund(_ row: any SQLRow) throws -> Refund {
        Refund(
            id: try row.decode(column: "id", as: String.self),
            kind: Refund.Kind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .partial,
            orderId: try row.decode(column: "order_id", as: String?.self), checkoutId: try row.decode(column: "checkout_id", as: String.self),
            paymentEventId: try row.decode(column: "payment_event_id", as: String?.self),
            provider: PaymentProviderKind(rawValue: try row.decode(column: "provider", as: String.self)) ?? .test,
            paymentRef: try row.decode(column: "payment_ref", as: String?.self), amount: try row.decode(column: "amount", as: Int64.self),
            currency: try row.decode(column: "currency", as: String.self), reason: try row.decode(column: "reason", as: String.self),
            lines: try row.decode(column: "lines", as: String?.self).map { try Coding.decoder.decode([Refund.Line].self, from: Data($0.utf8)) },
            status: Refund.Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .pending,
            outside: try row.decode(column: "outside", as: Bool.self), idempotencyKey: try row.decode(column: "idempotency_key", as: String.self),
            attempts: try row.decode(column: "attempts", as: Int.self), lastError: try row.decode(column: "last_error", as: String?.self),
            providerAmount: try row.decode(column: "provider_amount", as: Int64?.self),
            createdAt: try row.decode(column: "created_at", as: Date.self), updatedAt: try row.decode(column: "updated_at", as: Date.self),
            completedAt: try row.decode(column: "completed_at", as: Date?.self))
    }
}
