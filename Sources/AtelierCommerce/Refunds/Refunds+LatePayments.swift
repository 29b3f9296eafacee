import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Foundation
import SQLKit

extension Refunds {
    /// Gives back money that made no order — a payment for a checkout that expired or was cancelled
    /// (`late_payment`), or of another amount or currency (`amount_mismatch`) — deciding the refund of the event's
    /// amount in the transaction that applied the event. The event's `resolution` says where the refund stands:
    /// `refund pending`, then `refunded N` or `refund_failed: <code>` (the test provider's is `refunded N` at once).
    /// Other outcomes change nothing. A second event for the same payment finds the refund decided for the first.
    @discardableResult
    public func refundLatePayment(_ event: PaymentEvent, outcome: PaymentOutcome, on db: any SQLDatabase) async throws -> Refund? {
        let kind: Refund.Kind
        switch outcome {
        case .latePayment: kind = .latePayment
        case .amountMismatch: kind = .amountMismatch
        default: return nil
        }
        guard event.amount > 0, let ref = event.providerRef, canRefund(through: event.provider) else { return nil }
        // The checkout the event was applied to, found the way `PaymentProcessor` found it.
        let checkouts = CheckoutStore()
        var checkoutId: String?
        if let id = event.checkoutId { checkoutId = try await checkouts.find(id: id, on: db)?.id }
        if checkoutId == nil { checkoutId = try await checkouts.find(provider: event.provider, ref: ref, on: db)?.id }
        guard let checkoutId else { return nil }
        let now = clock.now
        let id = Identifier.make(prefix: "ref", at: now)
        let refund = try await decide(Refund(
            id: id, kind: kind, orderId: nil, checkoutId: checkoutId, paymentEventId: event.eventId, provider: event.provider,
            paymentRef: ref, amount: event.amount, currency: event.currency, reason: outcome.rawValue,
            idempotencyKey: "atelier-late-\(event.provider.rawValue)-\(ref)", createdAt: now), on: db)
        let resolution = refund.id == id ? Self.resolution(of: refund) : "refund \(refund.id), decided for an earlier event"
        try await db.update("payment_events").set("resolution", to: resolution)
            .where("provider", .equal, event.provider.rawValue).where("event_id", .equal, event.eventId).run()
        return refund
    }
}
