import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Foundation
import SQLKit

/// Applies payment events exactly once: each is stored under its provider's event id (a repeat is a
/// no-op), the checkout's row is locked, and a success creates the order, commits the reserved stock
/// and records `order.created` and `payment.succeeded` in the outbox — in one transaction.
public struct PaymentProcessor: Sendable {
    private let clock: WallClock

    public init(clock: WallClock = .system) { self.clock = clock }

    /// What applying an event did, with the checkout as it stands after it (nil when none matched or the event was a
    /// repeat) and the order it made.
    public struct Applied: Sendable {
        public var outcome: PaymentOutcome
        public var checkout: Checkout?
        public var order: Order?
    }

    public func apply(_ event: PaymentEvent, on db: any SQLDatabase) async throws -> (PaymentOutcome, Order?) {
        let applied = try await applied(event, on: db)
        return (applied.outcome, applied.order)
    }

    /// Applies `event`. `payable`, when given, is the event's checkout, already read and locked by the caller in this
    /// transaction (a test payment finds it by its access token); otherwise the checkout is found from the event.
    public func applied(_ event: PaymentEvent, payable: CheckoutStore.Payable? = nil, on db: any SQLDatabase) async throws -> Applied {
        let now = clock.now
        let payload = ProviderEventPayload.minimized(event.payload, provider: event.provider)
        let fresh = try await db.raw("""
            INSERT INTO payment_events (provider, event_id, type, checkout_id, amount, currency, outcome, payload, received_at)
            VALUES (\(bind: event.provider.rawValue), \(bind: event.eventId), \(bind: event.kind.rawValue), \(bind: event.checkoutId),
                \(bind: event.amount), \(bind: event.currency), 'pending', \(bind: payload), \(bind: now))
            ON CONFLICT (provider, event_id) DO NOTHING RETURNING event_id
            """).all()
        guard !fresh.isEmpty else { return Applied(outcome: .duplicate) }
        let applied = try await decide(event, payable: payable, at: now, on: db)
        try await db.raw("""
            UPDATE payment_events SET outcome = \(bind: applied.outcome.rawValue),
                checkout_id = COALESCE(checkout_id, \(bind: applied.order?.checkoutId))
            WHERE provider = \(bind: event.provider.rawValue) AND event_id = \(bind: event.eventId)
            """).run()
        return applied
    }

    private func decide(_ event: PaymentEvent, payable given: CheckoutStore.Payable?, at now: Date, on db: any SQLDatabase) async throws -> Applied {
        let checkouts = CheckoutStore()
        var found = given
        if found == nil, let id = event.checkoutId { found = try await checkouts.payable(id: id, on: db) }
        if found == nil, let ref = event.providerRef { found = try await checkouts.payable(provider: event.provider, ref: ref, on: db) }
        guard let payable = found, payable.checkout.provider == event.provider else { return Applied(outcome: .unknownCheckout) }
        let checkout = payable.checkout
        let facts = PaymentFacts(checkoutId: checkout.id, orderId: nil, provider: event.provider.rawValue, providerEventId: event.eventId,
                                 amount: event.amount, currency: event.currency)

        switch event.kind {
        case .failed:
            guard checkout.status == .pending else { return Applied(outcome: .ignored, checkout: checkout) }
            try await Outbox.record("payment.failed", aggregateId: checkout.id, data: facts, at: now, on: db)
            return Applied(outcome: .failureRecorded, checkout: checkout)
        case .succeeded:
            switch checkout.status {
            case .paid:
                return Applied(outcome: .alreadyPaid, checkout: checkout)
            case .expired, .cancelled:
                try await Outbox.record("payment.requires_attention", aggregateId: checkout.id, data: facts, at: now, on: db)
                return Applied(outcome: .latePayment, checkout: checkout)
            case .pending:
                guard event.amount == checkout.total, event.currency.uppercased() == checkout.currency else {
                    try await Outbox.record("payment.requires_attention", aggregateId: checkout.id, data: facts, at: now, on: db)
                    return Applied(outcome: .amountMismatch, checkout: checkout)
                }
                let order = try await pay(payable, event: event, at: now, on: db)
                var paid = checkout
                paid.status = .paid
                paid.orderId = order.id
                return Applied(outcome: .orderCreated, checkout: paid, order: order)
            }
        }
    }

    private func pay(_ payable: CheckoutStore.Payable, event: PaymentEvent, at now: Date, on db: any SQLDatabase) async throws -> Order {
        let checkout = payable.checkout
        let order = try await OrderStore(clock: clock).create(
            from: checkout, sealedCustomer: payable.sealedCustomer, emailHash: payable.emailHash, accessTokenHash: payable.accessTokenHash,
            paymentRef: event.providerRef, actor: Actor(.paymentProvider, event.provider.rawValue), on: db)
        try await StockReservations.commit(checkoutId: checkout.id, on: db)
        try await db.raw("""
            UPDATE checkouts SET status = 'paid', order_id = \(bind: order.id), updated_at = \(bind: now) WHERE id = \(bind: checkout.id)
            """).run()
        try await db.delete(from: "cart_lines").where("cart_id", .equal, checkout.cartId).run()
        try await db.raw("UPDATE carts SET version = version + 1 WHERE id = \(bind: checkout.cartId)").run()
        try await Outbox.record([
            try Outbox.Entry("order.created", aggregateId: order.id,
                             data: OrderCreated(orderId: order.id, number: order.number, total: order.total, currency: order.currency,
                                                expectedShipDate: order.expectedShipDate), at: now),
            try Outbox.Entry("payment.succeeded", aggregateId: order.id,
                             data: PaymentFacts(checkoutId: checkout.id, orderId: order.id, provider: event.provider.rawValue,
                                                providerEventId: event.eventId, amount: event.amount, currency: event.currency), at: now),
        ], on: db)
        return order
    }

    struct PaymentFacts: Encodable {
        var checkoutId: String
        var orderId: String?
        var provider: String
        var providerEventId: String
        var amount: Int64
        var currency: String
    }

    struct OrderCreated: Encodable {
        var orderId: String
        var number: String
        var total: Int64
        var currency: String
        var expectedShipDate: String
    }
}
