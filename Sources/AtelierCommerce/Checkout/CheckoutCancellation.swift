import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Foundation
import SQLKit

/// Cancels an unpaid checkout: its stock goes back at once, `checkout.cancelled` is recorded in the outbox and
/// who cancelled it, and why, in the checkout's audit trail.
public struct CheckoutCancellation: Sendable {
    private let clock: WallClock

    public init(clock: WallClock = .system) { self.clock = clock }

    /// The checkout after the call; nil when it does not exist. A paid checkout is 409 `checkout_paid`.
    @discardableResult
    public func cancel(checkoutId: String, reason: String, by actor: Actor = Actor(.system), on db: any SQLDatabase) async throws -> Checkout? {
        guard let checkout = try await CheckoutStore().find(id: checkoutId, on: db, forUpdate: true) else { return nil }
        switch checkout.status {
        case .paid:
            throw AtelierError(.conflict, code: .checkoutPaid, title: "Checkout already paid",
                               detail: "This checkout became order \(checkout.orderId ?? ""); cancel the order instead.")
        case .expired, .cancelled:
            return checkout
        case .pending:
            let now = clock.now
            try await StockReservations.release(checkoutId: checkout.id, on: db)
            try await db.raw("UPDATE checkouts SET status = 'cancelled', updated_at = \(bind: now) WHERE id = \(bind: checkout.id)").run()
            try await Outbox.record("checkout.cancelled", aggregateId: checkout.id, data: ["checkoutId": checkout.id, "reason": reason],
                                    at: now, on: db)
            try await CheckoutAudit.record(checkoutId: checkout.id, event: .cancelled, actor: actor, reason: reason, at: now, on: db)
            var cancelled = checkout
            cancelled.status = .cancelled
            return cancelled
        }
    }
}
