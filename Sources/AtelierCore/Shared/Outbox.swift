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

    /// An event made ready to record: its id (`evt_…`, time-ordered) and its envelope, encoded.
    public struct Entry: Sendable {
        public var id: String
        var type: String
        var aggregateId: String
        var payload: String
        var at: Date
        /// The trace of the change that made the event, handed on to its deliveries.
        var traceParent: String?

        public init(_ type: String, aggregateId: String, data: some Encodable, at now: Date) throws {
            id = Identifier.make(prefix: "evt", at: now)
            self.type = type
            self.aggregateId = aggregateId
            payload = try Coding.encode(Envelope(id: id, type: type, version: 1, occurredAt: now.formatted(.iso8601), data: data))
            at = now
            traceParent = TraceParent.current
        }
    }

    /// Records an event; answers its id (`evt_…`, time-ordered).
    @discardableResult
    public static func record(_ type: String, aggregateId: String, data: some Encodable, at now: Date, on db: any SQLDatabase) async throws -> String {
        let entry = try Entry(type, aggregateId: aggregateId, data: data, at: now)
        try await record([entry], on: db)
        return entry.id
    }

    /// Records events in one statement, in the order given.
    public static func record(_ entries: [Entry], on db: any SQLDatabase) async throws {
        guard !entries.isEmpty else { return }
        // PostgreSQL: a sequence (no lock held to commit), taken row by row in the order written. SQLite: writers are
        // serialized anyway; each row adds its place in the list to the highest number so far.
        let rows = entries.enumerated().map { index, entry -> SQLQueryString in
            let seq: SQLQueryString = db.dialect.name == "postgresql"
                ? "nextval('outbox_seq')" : "(SELECT COALESCE(MAX(seq), 0) + \(literal: index + 1) FROM outbox)"
            return "(\(bind: entry.id), \(seq), \(bind: entry.type), \(bind: entry.aggregateId), \(bind: entry.payload), \(bind: entry.at), \(bind: entry.traceParent))"
        }
        try await db.raw("INSERT INTO outbox (id, seq, type, aggregate_id, payload, created_at, trace_parent) VALUES \(rows.joined(separator: ", "))").run()
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
