import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Foundation
import SQLKit

/// Refunds of orders: part of an order given back by staff, and what is left when an order is cancelled.
///
/// What is left to refund is the order's total less the money already decided (`orders.refunded`: pending and
/// succeeded refunds). Every decision raises `refunded` with one conditional update that needs that much to be left,
/// under the order's row lock, so concurrent refunds and cancellations of one order never give back more than was
/// paid, on SQLite and PostgreSQL alike.
extension Refunds {
    /// What staff ask for when they give back part of an order.
    public struct PartialRequest: Sendable, Equatable {
        /// In minor units of the order's currency: more than 0, at most what is left.
        public var amount: Int64
        public var reason: String
        public var lines: [Refund.Line]
        /// Given back already in the provider's dashboard: recorded, no provider is asked.
        public var outside: Bool

        public init(amount: Int64, reason: String, lines: [Refund.Line] = [], outside: Bool = false) {
            self.amount = amount
            self.reason = reason
            self.lines = lines
            self.outside = outside
        }
    }

    /// Checks what can be checked without the order, reporting every problem at once (422).
    public static func check(_ request: PartialRequest) throws {
        var problems = ValidationErrors()
        if request.amount <= 0 { problems.add("/amount", .notPositive, "must be more than 0.") }
        if request.reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            problems.add("/reason", .required, "a refund needs a reason.")
        } else if request.reason.unicodeScalars.count > 1000 {
            problems.add("/reason", .tooLong, "must be at most 1000 characters.")
        } else if request.reason.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\n" }) {
            problems.add("/reason", .invalidCharacters, "must not contain control characters.")
        }
        if request.lines.count > 100 { problems.add("/lines", .tooMany, "at most 100 lines.") }
        var seen = Set<Int>()
        for (position, line) in request.lines.prefix(100).enumerated() {
            if line.index < 0 {
                problems.add("/lines/\(position)/index", .outOfRange, "must be 0 or more.")
            } else if !seen.insert(line.index).inserted {
                problems.add("/lines/\(position)/index", .duplicate, "names a line listed before.")
            }
            if line.quantity < 1 { problems.add("/lines/\(position)/quantity", .outOfRange, "must be 1 or more.") }
        }
        try problems.check()
    }

    /// Gives back part of an order: the refund is decided and its job queued in the caller's transaction, the order's
    /// `refunded` grows by the amount, its audit trail records it (details `refund`, `refunded`) and the sales ledger
    /// counts it. More than is left is 409 `refund_exceeds_remaining` (the problem's `refundable` says how much is);
    /// a cancelled order whose remainder was refunded is 409 `order_cancelled`.
    public func refund(orderId: String, _ request: PartialRequest, actor: Actor, on db: any SQLDatabase) async throws -> (order: Order, refund: Refund) {
        try Self.check(request)
        let orders = OrderStore(clock: clock)
        guard var order = try await orders.find(id: orderId, on: db, forUpdate: true) else { throw AtelierError.notFound("Order '\(orderId)'") }
        var problems = ValidationErrors()
        let lines = order.snapshot.lines
        for (position, line) in request.lines.enumerated() where line.index >= 0 {
            if line.index >= lines.count {
                problems.add("/lines/\(position)/index", .unknownLine, "the order has \(lines.count) line(s), numbered from 0.")
            } else if line.quantity > lines[line.index].quantity {
                problems.add("/lines/\(position)/quantity", .tooMany, "the line has \(lines[line.index].quantity) item(s).")
            }
        }
        try problems.check()
        let refundable = order.total - order.refunded
        if order.status == .cancelled, refundable <= 0 {
            throw AtelierError(.conflict, code: .orderCancelled, title: "Order cancelled",
                               detail: "The order was cancelled and everything left of its payment was refunded then.")
        }
        guard request.amount <= refundable else {
            throw AtelierError(.conflict, code: .refundExceedsRemaining, title: "More than is left to refund",
                               detail: "At most \(max(0, refundable)) of \(order.total) \(order.currency) is left to refund.",
                               members: ["refundable": String(max(0, refundable))])
        }
        if !request.outside { try checkAvailable(order, instead: #"send the refund again with "outside": true"#) }
        let now = clock.now
        order.refunded = try await orders.countRefund(request.amount, orderId: order.id, at: now, on: db)
        order.updatedAt = now
        let id = Identifier.make(prefix: "ref", at: now)
        let refund = try await decide(Refund(
            id: id, kind: .partial, orderId: order.id, checkoutId: order.checkoutId, provider: order.provider, paymentRef: order.paymentRef,
            amount: request.amount, currency: order.currency, reason: request.reason, lines: request.lines.isEmpty ? nil : request.lines,
            outside: request.outside, idempotencyKey: "atelier-refund-\(id)", createdAt: now), on: db)
        var details = ["refund": refund.id, "refunded": String(refund.amount)]
        if refund.outside { details["refundedOutside"] = "true" }
        try await orders.appendTransition(order.id, from: order.status, to: order.status, actor: actor, reason: request.reason,
                                          details: details, at: now, on: db)
        try await SalesLedger.recordRefund(of: order, amount: refund.amount, on: db)
        return (order, refund)
    }

    /// The refund of what is left of an order being cancelled, decided inside the cancelling transaction
    /// (`OrderStore.transition`, which holds the order's row lock and counts it); nil when nothing is left.
    func cancellationRefund(of order: Order, reason: String, outside: Bool, at now: Date, on db: any SQLDatabase) async throws -> Refund? {
        let remaining = order.total - order.refunded
        guard remaining > 0 else { return nil }
        if !outside { try checkAvailable(order, instead: #"cancel again with "refund": {"outside": true}"#) }
        // One cancellation per order, so the order's id makes the key (the same key cancellations always sent).
        let id = Identifier.make(prefix: "ref", at: now)
        let refund = try await decide(Refund(
            id: id, kind: .cancellation, orderId: order.id, checkoutId: order.checkoutId, provider: order.provider,
            paymentRef: order.paymentRef, amount: remaining, currency: order.currency, reason: reason, outside: outside,
            idempotencyKey: "atelier-refund-\(order.id)", createdAt: now), on: db)
        // An order is cancelled once: a refund already under its key would be money decided twice.
        guard refund.id == id else { throw AtelierError.internalError }
        return refund
    }
}
