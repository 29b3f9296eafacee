import Foundation
import SQLKit

/// Domain events, written in the same transaction as the change they report, so an event exists if
/// and only if its change committed. Delivery (partner webhooks, fulfillment, email) reads them in
/// `seq` order and marks them published. Events about one aggregate are written by transactions that
/// lock it, so their `seq` order is their commit order.
public enum Outbox {
    struct Envelope<Data: Encodable>: Encodable {
        var id: String
        var type: String
        var version: Int
        var occurredAt: String
        var data: Data
    }

    /// Records an event; answers its id (`evt_…`, time-ordered).
    @discardableResult
    public static func record(_ type: String, aggregateId: String, data: some Encodable, at now: Date, on db: any SQLDatabase) async throws -> String {
        let id = Identifier.make(prefix: "evt", at: now)
        let payload = try Coding.encode(Envelope(id: id, type: type, version: 1, occurredAt: ISO8601DateFormatter().string(from: now), data: data))
        // PostgreSQL: a sequence (no lock held to commit); SQLite: writers are serialized anyway.
        let seq = db.dialect.name == "postgresql" ? "nextval('outbox_seq')" : "(SELECT COALESCE(MAX(seq), 0) + 1 FROM outbox)"
        try await db.raw("""
            INSERT INTO outbox (id, seq, type, aggregate_id, payload, created_at)
            VALUES (\(bind: id), \(unsafeRaw: seq), \(bind: type), \(bind: aggregateId), \(bind: payload), \(bind: now))
            """).run()
        return id
    }

    public struct Event: Sendable, Equatable {
        public var id: String
        public var type: String
        public var aggregateId: String
        public var payload: String
    }

    /// Events about one aggregate, oldest first.
    public static func events(aggregateId: String, on db: any SQLDatabase) async throws -> [Event] {
        try await db.select().columns("id", "type", "aggregate_id", "payload").from("outbox").where("aggregate_id", .equal, aggregateId)
            .orderBy("seq").all().map { row in
                Event(id: try row.decode(column: "id", as: String.self), type: try row.decode(column: "type", as: String.self),
                      aggregateId: try row.decode(column: "aggregate_id", as: String.self),
                      payload: try row.decode(column: "payload", as: String.self))
            }
    }
}
