import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Foundation
import SQLKit

/// The audit trail of checkouts: written in the same transaction as the change it records, read by staff.
public enum CheckoutAudit {
    static func record(checkoutId: String, event: CheckoutAuditRecord.Event, actor: Actor, reason: String?, at now: Date,
                       on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO checkout_audit (id, checkout_id, at, event, actor_kind, actor_id, reason)
            VALUES (\(bind: Identifier.make(prefix: "cau", at: now)), \(bind: checkoutId), \(bind: now), \(bind: event.rawValue),
                    \(bind: actor.kind.rawValue), \(bind: actor.id), \(bind: reason))
            """).run()
    }

    public static func history(checkoutId: String, on db: any SQLDatabase) async throws -> [CheckoutAuditRecord] {
        try await db.select().columns("at", "event", "actor_kind", "actor_id", "reason").from("checkout_audit")
            .where("checkout_id", .equal, checkoutId).orderBy("at").orderBy("id").all().map { row in
                CheckoutAuditRecord(
                    at: try row.decode(column: "at", as: Date.self),
                    event: CheckoutAuditRecord.Event(rawValue: try row.decode(column: "event", as: String.self)) ?? .cancelled,
                    actor: Actor(Actor.Kind(rawValue: try row.decode(column: "actor_kind", as: String.self)) ?? .system,
                                 try row.decode(column: "actor_id", as: String?.self)),
                    reason: try row.decode(column: "reason", as: String?.self))
            }
    }
}
