import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Foundation
import SQLKit

/// Closes checkouts that were not paid in time and gives their stock back.
public struct CheckoutExpiry: Sendable {
    private let clock: WallClock

    public init(clock: WallClock = .system) { self.clock = clock }

    /// Expires every overdue pending checkout; answers how many.
    @discardableResult
    public func expireOverdue(limit: Int = 500, on db: any SQLDatabase) async throws -> Int {
        let now = clock.now
        let overdue = try await db.select().column("id").from("checkouts").where("status", .equal, "pending")
            .where("expires_at", .lessThan, now).orderBy("expires_at").limit(limit).all(decodingColumn: "id", as: String.self)
        var expired = 0
        for id in overdue {
            let rows = try await db.raw("SELECT id FROM checkouts WHERE id = \(bind: id) AND status = 'pending'\(unsafeRaw: db.rowLock(skipLocked: true))").all()
            guard !rows.isEmpty else { continue }
            try await StockReservations.release(checkoutId: id, on: db)
            try await db.raw("UPDATE checkouts SET status = 'expired', updated_at = \(bind: now) WHERE id = \(bind: id)").run()
            try await Outbox.record("checkout.expired", aggregateId: id, data: ["checkoutId": id], at: now, on: db)
            try await CheckoutAudit.record(checkoutId: id, event: .expired, actor: Actor(.system), reason: "not paid in time", at: now, on: db)
            expired += 1
        }
        return expired
    }
}
