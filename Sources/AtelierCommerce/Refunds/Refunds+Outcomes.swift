import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Foundation
import SQLKit

/// How a pending refund ends, each recorded once (the refund leaves `pending` by a conditional update).
extension Refunds {
    /// The provider confirmed the refund: it is `succeeded` with what the provider refunded, and a late payment's
    /// event says `refunded N`. The order's `refunded` and the sales ledger counted it when it was decided.
    @discardableResult
    public func succeeded(_ id: String, providerAmount: Int64, on db: any SQLDatabase) async throws -> Refund? {
        guard let refund = try await RefundStore().markSucceeded(id: id, providerAmount: providerAmount, at: clock.now, on: db) else {
            return nil
        }
        try await resolve(refund, on: db)
        return refund
    }

    /// The refund will not happen (the provider refused it, or did not answer within the retries): it is `failed`
    /// with the error. An order's money was not given back, so its `refunded` and the sales ledger drop the amount
    /// again and its audit trail says so (details `refund`, `refundFailed`, `error`); staff see it and may refund
    /// again. A late payment's event says `refund_failed: <code>`.
    @discardableResult
    public func failed(_ id: String, code: String, error: String, attempted: Bool, on db: any SQLDatabase) async throws -> Refund? {
        let now = clock.now
        guard let refund = try await RefundStore().markFailed(id: id, error: error, attempted: attempted, at: now, on: db) else {
            return nil
        }
        if let orderId = refund.orderId {
            let orders = OrderStore(clock: clock)
            if let order = try await orders.uncountRefund(refund.amount, orderId: orderId, at: now, on: db) {
                try await orders.appendTransition(
                    order.id, from: order.status, to: order.status, actor: Actor(.paymentProvider, refund.provider.rawValue), reason: nil,
                    details: ["refund": refund.id, "refundFailed": String(refund.amount), "error": code], at: now, on: db)
                try await SalesLedger.recordRefund(of: order, amount: -refund.amount, on: db)
            }
        }
        try await resolve(refund, code: code, on: db)
        return refund
    }

    /// Writes where a late payment's refund stands on its event.
    private func resolve(_ refund: Refund, code: String? = nil, on db: any SQLDatabase) async throws {
        guard let eventId = refund.paymentEventId else { return }
        try await db.update("payment_events").set("resolution", to: Self.resolution(of: refund, code: code))
            .where("provider", .equal, refund.provider.rawValue).where("event_id", .equal, eventId).run()
    }
}
