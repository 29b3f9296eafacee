import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Foundation
import SQLKit

/// Reads the payment event log: what each provider told us and what it did. Admins find here the
/// payments that need them (`late_payment`, `amount_mismatch`) and whether they were refunded.
public struct PaymentEventStore: Sendable {
    public init() {}

    public struct Filter: Sendable {
        public var outcome: String?
        public var checkoutId: String?

        public init(outcome: String? = nil, checkoutId: String? = nil) {
            self.outcome = outcome
            self.checkoutId = checkoutId
        }
    }

    /// Newest first; the cursor names the last event seen (provider and event id).
    public func list(_ filter: Filter, page: PageRequest, on db: any SQLDatabase) async throws -> Page<PaymentEventRecord> {
        var query = db.select().column("*").from("payment_events")
        if let outcome = filter.outcome { query = query.where("outcome", .equal, outcome) }
        if let checkout = filter.checkoutId {
            guard !checkout.containsNUL else { return Page(items: [], nextCursor: nil) }
            query = query.where("checkout_id", .equal, checkout)
        }
        if let after = page.after {
            let parts = after.split(separator: "\u{1F}", maxSplits: 1).map(String.init)
            guard parts.count == 2, !after.containsNUL else { return Page(items: [], nextCursor: nil) }
            // Strictly after the last one seen in (received_at, provider, event_id) descending order. Its time is
            // compared inside the database, never read out and bound again (a round trip through `Date` can move
            // it by a hair and repeat the last event of a page); an unknown cursor finds nothing.
            query = query.where(SQLQueryString("""
                (received_at, provider, event_id) < (SELECT e.received_at, e.provider, e.event_id FROM payment_events e
                WHERE e.provider = \(bind: parts[0]) AND e.event_id = \(bind: parts[1]))
                """))
        }
        let rows = try await query.orderBy("received_at", .descending).orderBy("provider", .descending).orderBy("event_id", .descending)
            .limit(page.limit + 1).all()
        let items = try rows.prefix(page.limit).map(Self.record)
        let next = rows.count > page.limit ? items.last.map { PageRequest.cursor(for: $0.provider + "\u{1F}" + $0.eventId) } : nil
        return Page(items: items, nextCursor: next)
    }

    static func record(_ row: any SQLRow) throws -> PaymentEventRecord {
        PaymentEventRecord(
            provider: try row.decode(column: "provider", as: String.self), eventId: try row.decode(column: "event_id", as: String.self),
            type: try row.decode(column: "type", as: String.self), checkoutId: try row.decode(column: "checkout_id", as: String?.self),
            amount: try row.decode(column: "amount", as: Int64?.self), currency: try row.decode(column: "currency", as: String?.self),
            outcome: try row.decode(column: "outcome", as: String.self), resolution: try row.decode(column: "resolution", as: String?.self),
            receivedAt: try row.decode(column: "received_at", as: Date.self))
    }
}
