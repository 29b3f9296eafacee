import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Foundation
import SQLKit

/// Creates orders from paid checkouts and moves them through `OrderStatus`, appending an audit record
/// for every step. Run writes inside `DatabaseClient.transaction`.
public struct OrderStore: Sendable {
    private let clock: WallClock

    public init(clock: WallClock = .system) { self.clock = clock }

    /// The order for a paid checkout, made once: the unique checkout id on `orders` makes a second
    /// attempt fail rather than duplicate it (callers hold the checkout's row lock anyway).
    public func create(from checkout: Checkout, sealedCustomer: String, emailHash: String, accessTokenHash: String,
                       paymentRef: String?, actor: Actor, on db: any SQLDatabase) async throws -> Order {
        let now = clock.now
        let snapshot = checkout.snapshot
        var order = Order(
            id: Identifier.make(prefix: "ord", at: now), number: "", checkoutId: checkout.id, status: .paid,
            currency: snapshot.currency, subtotal: snapshot.subtotal, shipping: snapshot.shipping, tax: snapshot.tax,
            total: snapshot.total, snapshot: snapshot, sealedCustomer: sealedCustomer, provider: checkout.provider,
            paymentRef: paymentRef, refunded: 0, tracking: nil, expectedShipDate: snapshot.expectedShipDate, paidAt: now,
            deliveredAt: nil, createdAt: now, updatedAt: now)
        // The number: PostgreSQL takes it from a sequence in the insert itself (a sequence holds no lock until commit, so
        // concurrent payments do not queue on one row; a rolled-back payment leaves a gap). SQLite serializes writers
        // anyway: a counter row.
        let number: SQLQueryString = db.dialect.name == "postgresql"
            ? "'AT-' || nextval('order_number_seq')"
            : "'AT-' || (SELECT value FROM counters WHERE name = 'order_number')"
        if db.dialect.name != "postgresql" {
            try await db.raw("UPDATE counters SET value = value + 1 WHERE name = 'order_number'").run()
        }
        guard let assigned = try await db.raw("""
            INSERT INTO orders (id, number, checkout_id, status, access_token_hash, currency, subtotal, shipping, tax, total, snapshot,
                customer, email_hash, provider, payment_ref, refunded, expected_ship_date, paid_at, created_at, updated_at)
            VALUES (\(bind: order.id), \(number), \(bind: order.checkoutId), \(bind: order.status.rawValue),
                \(bind: accessTokenHash), \(bind: order.currency), \(bind: order.subtotal), \(bind: order.shipping), \(bind: order.tax),
                \(bind: order.total), \(bind: try Coding.encode(snapshot)), \(bind: sealedCustomer), \(bind: emailHash),
                \(bind: order.provider.rawValue), \(bind: paymentRef), 0, \(bind: order.expectedShipDate), \(bind: now), \(bind: now), \(bind: now))
            RETURNING number
            """).first(decodingColumn: "number", as: String.self)
        else { throw AtelierError.internalError }
        order.number = assigned
        let products = Set(snapshot.lines.map(\.productId)).sorted()
        if !products.isEmpty {
            let insert = db.insert(into: "order_products").columns("order_id", "product_id")
            for productId in products { insert.values([order.id, productId]) }  // each call adds a row
            try await insert.run()
        }
        let assets = snapshot.assetIds.sorted()
        if !assets.isEmpty {
            let insert = db.insert(into: "order_assets").columns("asset_id", "order_id")
            for asset in assets { insert.values([asset, order.id]) }  // each call adds a row
            try await insert.run()
        }
        try await appendTransition(order.id, from: .pendingPayment, to: .paid, actor: actor, reason: nil,
                                   details: ["checkout": checkout.id, "payment": paymentRef ?? ""], at: now, on: db)
        try await SalesLedger.record(order, cancelled: false, on: db)
        return order
    }

    /// The order, its row locked until the transaction ends when `forUpdate` (PostgreSQL).
    public func find(id: String, on db: any SQLDatabase, forUpdate: Bool) async throws -> Order? {
        forUpdate ? try await lockedOrder(id: id, on: db) : try await find(id: id, on: db)
    }

    public func find(id: String, on db: any SQLDatabase) async throws -> Order? {
        guard Identifier.isWellFormed(id, prefix: "ord") else { return nil }
        return try await db.select().column("*").from("orders").where("id", .equal, id).first().map(Self.order)
    }

    /// The order if the token is its access token; nil otherwise, whether or not the order exists.
    public func find(id: String, accessToken: String?, on db: any SQLDatabase) async throws -> Order? {
        guard let accessToken, Identifier.isWellFormed(id, prefix: "ord"),
            let row = try await db.select().column("*").from("orders").where("id", .equal, id).first()
        else { return nil }
        let stored = try row.decode(column: "access_token_hash", as: String.self)
        guard Secret.constantTimeEquals(stored, Secret.sha256Hex(accessToken)) else { return nil }
        return try Self.order(row)
    }

    /// Moves an order, checking the step and its preconditions, and appends the audit record.
    /// A cancellation gives back what is left of the payment through `refunds`: the refund is decided here, in the
    /// cancelling transaction, and made at the provider by its job afterwards (or recorded as made outside Atelier
    /// with `refundedOutside`). Without `refunds` a cancellation gives nothing back.
    public func transition(
        id: String, _ request: OrderTransitionRequest, actor: Actor, refunds: Refunds? = nil, on db: any SQLDatabase
    ) async throws -> Order {
        guard var order = try await lockedOrder(id: id, on: db) else { throw AtelierError.notFound("Order '\(id)'") }
        let from = order.status
        guard from.next.contains(request.to) else {
            let allowed = from.next.map(\.rawValue)
            throw AtelierError(.conflict, code: .illegalTransition, title: "Transition not allowed",
                               detail: "An order that is \(from.rawValue) cannot become \(request.to.rawValue); allowed: "
                                   + (allowed.isEmpty ? "none (\(from.rawValue) is final)" : allowed.joined(separator: ", ")) + ".",
                               errors: allowed.map { .init(pointer: "/to", code: .allowed, message: $0) })
        }
        var problems = ValidationErrors()
        var details = request.details
        let now = clock.now
        switch request.to {
        case .shipped:
            guard let tracking = request.tracking, !tracking.carrier.isEmpty, !tracking.number.isEmpty else {
                problems.add("/tracking", .required, "shipping needs a carrier and a tracking number.")
                break
            }
            tracking.check(at: "/tracking", into: &problems)
            order.tracking = tracking
            details["carrier"] = tracking.carrier
            details["trackingNumber"] = tracking.number
        case .delivered:
            guard let deliveredAt = request.deliveredAt else {
                problems.add("/deliveredAt", .required, "delivery needs the time it was delivered.")
                break
            }
            order.deliveredAt = deliveredAt
            details["deliveredAt"] = ISO8601DateFormatter().string(from: deliveredAt)
        case .cancelled:
            if (request.reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                problems.add("/reason", .required, "a cancellation needs a reason.")
            }
        default:
            break
        }
        if request.refundedOutside, request.to != .cancelled {
            problems.add("/refund", .unexpected, "only a cancellation refunds.")
        }
        try problems.check()
        var refundedNow: Int64 = 0
        if request.to == .cancelled, let refunds,
           let refund = try await refunds.cancellationRefund(of: order, reason: request.reason ?? "", outside: request.refundedOutside,
                                                           at: now, on: db) {
            refundedNow = refund.amount
            order.refunded = try await countRefund(refund.amount, orderId: order.id, at: now, on: db)
            details["refund"] = refund.id
            details["refunded"] = String(refund.amount)
            if refund.outside { details["refundedOutside"] = "true" }
        }
        order.status = request.to
        order.updatedAt = now
        try await db.raw("""
            UPDATE orders SET status = \(bind: order.status.rawValue), tracking = \(bind: try order.tracking.map { try Coding.encode($0) }),
                delivered_at = \(bind: order.deliveredAt), refunded = \(bind: order.refunded), updated_at = \(bind: now)
            WHERE id = \(bind: order.id)
            """).run()
        try await appendTransition(order.id, from: from, to: order.status, actor: actor, reason: request.reason, details: details, at: now, on: db)
        // Refunds decided before (partial ones) were counted in the ledger when they were decided.
        if order.status == .cancelled { try await SalesLedger.record(order, cancelled: true, refunded: refundedNow, on: db) }
        try await Outbox.record("order.status_changed", aggregateId: order.id,
                                data: StatusChanged(orderId: order.id, number: order.number, from: from.rawValue, to: order.status.rawValue,
                                                    reason: request.reason, tracking: order.tracking),
                                at: now, on: db)
        return order
    }

    struct StatusChanged: Encodable {
        var orderId: String
        var number: String
        var from: String
        var to: String
        var reason: String?
        var tracking: Tracking?
    }

    public func transitions(orderId: String, on db: any SQLDatabase) async throws -> [OrderTransition] {
        try await db.select().column("*").from("order_transitions").where("order_id", .equal, orderId)
            .orderBy("at").orderBy("id").all().map { row in
                OrderTransition(
                    id: try row.decode(column: "id", as: String.self), orderId: orderId, at: try row.decode(column: "at", as: Date.self),
                    actor: Actor(Actor.Kind(rawValue: try row.decode(column: "actor_kind", as: String.self)) ?? .system,
                                 try row.decode(column: "actor_id", as: String?.self)),
                    from: try row.decode(column: "from_status", as: String?.self).flatMap(OrderStatus.init(rawValue:)),
                    to: OrderStatus(rawValue: try row.decode(column: "to_status", as: String.self)) ?? .paid,
                    reason: try row.decode(column: "reason", as: String?.self),
                    details: try Coding.decoder.decode([String: String].self, from: Data(try row.decode(column: "details", as: String.self).utf8)))
            }
    }

    // MARK: refunded money

    /// Counts `amount` more of the order's payment as refunded, only while that much is left, and answers the new
    /// `refunded`. A concurrent refund that took what was left makes this one 409 `refund_exceeds_remaining`.
    func countRefund(_ amount: Int64, orderId: String, at now: Date, on db: any SQLDatabase) async throws -> Int64 {
        guard let refunded = try await db.raw("""
            UPDATE orders SET refunded = refunded + \(bind: amount), updated_at = \(bind: now)
            WHERE id = \(bind: orderId) AND total - refunded >= \(bind: amount)
            RETURNING refunded
            """).first(decodingColumn: "refunded", as: Int64.self)
        else {
            throw AtelierError(.conflict, code: .refundExceedsRemaining, title: "More than is left to refund",
                               detail: "Less than \(amount) is left of the order's payment to refund.")
        }
        return refunded
    }

    /// Takes a refund that failed out of the order's `refunded` again: that money was not given back.
    func uncountRefund(_ amount: Int64, orderId: String, at now: Date, on db: any SQLDatabase) async throws -> Order? {
        try await db.raw("""
            UPDATE orders SET refunded = refunded - \(bind: amount), updated_at = \(bind: now) WHERE id = \(bind: orderId) RETURNING *
            """).first().map(Self.order)
    }

    // MARK: rows

    private func lockedOrder(id: String, on db: any SQLDatabase) async throws -> Order? {
        guard Identifier.isWellFormed(id, prefix: "ord") else { return nil }
        return try await db.raw("SELECT * FROM orders WHERE id = \(bind: id)\(unsafeRaw: db.rowLock())").first().map(Self.order)
    }

    func appendTransition(_ orderId: String, from: OrderStatus?, to: OrderStatus, actor: Actor, reason: String?,
                          details: [String: String], at now: Date, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO order_transitions (id, order_id, at, actor_kind, actor_id, from_status, to_status, reason, details)
            VALUES (\(bind: Identifier.make(prefix: "otr", at: now)), \(bind: orderId), \(bind: now), \(bind: actor.kind.rawValue),
                \(bind: actor.id), \(bind: from?.rawValue), \(bind: to.rawValue), \(bind: reason), \(bind: try Coding.encode(details)))
            """).run()
    }

    static func order(_ row: any SQLRow) throws -> Order {
        Order(
            id: try row.decode(column: "id", as: String.self), number: try row.decode(column: "number", as: String.self),
            checkoutId: try row.decode(column: "checkout_id", as: String.self),
            status: OrderStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .paid,
            currency: try row.decode(column: "currency", as: String.self), subtotal: try row.decode(column: "subtotal", as: Int64.self),
            shipping: try row.decode(column: "shipping", as: Int64.self), tax: try row.decode(column: "tax", as: Int64.self),
            total: try row.decode(column: "total", as: Int64.self),
            snapshot: try Coding.decoder.decode(CheckoutSnapshot.self, from: Data(try row.decode(column: "snapshot", as: String.self).utf8)),
            sealedCustomer: try row.decode(column: "customer", as: String.self),
            provider: PaymentProviderKind(rawValue: try row.decode(column: "provider", as: String.self)) ?? .test,
            paymentRef: try row.decode(column: "payment_ref", as: String?.self), refunded: try row.decode(column: "refunded", as: Int64.self),
            tracking: try row.decode(column: "tracking", as: String?.self).map { try Coding.decoder.decode(Tracking.self, from: Data($0.utf8)) },
            expectedShipDate: try row.decode(column: "expected_ship_date", as: String.self),
            paidAt: try row.decode(column: "paid_at", as: Date.self), deliveredAt: try row.decode(column: "delivered_at", as: Date?.self),
            createdAt: try row.decode(column: "created_at", as: Date.self), updatedAt: try row.decode(column: "updated_at", as: Date.self))
    }
}
