import Atelier
import Foundation
import HTTPTypes
import Hummingbird

/// The operations desk: the dashboard's figures, the orders list and an order's page. Read through the same
/// domain stores and filters as the admin API.
struct ConsoleOrders: Sendable {
    let services: AppServices
    let page: ConsolePage

    static let pageSize = 50

    func dashboard(staff: StaffSessionContext) async throws -> Response {
        guard ConsolePage.seesOrders(staff.account.role) else {
            return page.render("dashboard", title: "Dashboard", staff: staff)
        }
        let (orders, deliveries, jobs) = (services.orders, services.deliveries, services.jobs)
        let day = ShopDay(timeZone: services.configuration.catalog.shipDates.timeZone, now: services.clock.now)
        let figures = try await services.database.withConnection { db in
            (counts: try await orders.countsByStatus(on: db), today: try await orders.placed(since: day.start, on: db),
             week: try await orders.placed(since: day.weekStart, on: db), due: try await orders.due(on: day.date, on: db),
             deliveries: try await deliveries.depth(on: db), jobs: try await jobs.counts(on: db))
        }
        let currency = services.configuration.catalog.shopCurrency
        let queued = figures.jobs.filter { $0.state == "queued" }.reduce(0) { $0 + $1.count }
        let deadJobs = figures.jobs.filter { $0.state == "dead" }.reduce(0) { $0 + $1.count }
        return page.render("dashboard", title: "Dashboard", staff: staff, values: [
            "statuses": OrderStatus.allCases.map { ["status": $0.rawValue, "label": Self.label($0), "count": figures.counts[$0] ?? 0] },
            "todayOrders": figures.today.orders, "todayRevenue": Self.money(figures.today.revenue, currency),
            "weekOrders": figures.week.orders, "weekRevenue": Self.money(figures.week.revenue, currency),
            "dueToday": figures.due.today, "overdue": figures.due.overdue, "day": day.date,
            "deadDeliveries": figures.deliveries.dead, "pendingDeliveries": figures.deliveries.pending,
            "queuedJobs": queued, "deadJobs": deadJobs,
        ])
    }

    func list(_ request: Request, staff: StaffSessionContext) async throws -> Response {
        let query = ConsoleForm(encoded: Substring(request.uri.query ?? ""))
        let chosen = ConsoleOrderQuery(query)
        let shopDay = ShopDay(timeZone: services.configuration.catalog.shipDates.timeZone, now: services.clock.now)
        let filter = chosen.filter(timeZone: services.configuration.catalog.shipDates.timeZone, today: shopDay.date)
        let pageRequest: PageRequest
        do {
            pageRequest = try PageRequest(limit: Self.pageSize, cursor: query.text("cursor"))
        } catch {
            return page.error(.badRequest, heading: "Bad page", message: "That page of orders does not exist; start again from the first.", staff: staff)
        }
        let orders = services.orders
        let found = try await services.database.withConnection { db in try await orders.list(filter, page: pageRequest, on: db) }
        let next = found.nextCursor.map { chosen.path(cursor: $0) }
        let rows: [[String: Any]] = found.items.map { order in
            ["id": order.id, "number": order.number, "status": Self.label(order.status), "placed": time(order.createdAt),
             "shipBy": order.expectedShipDate, "total": Self.money(order.total, order.currency)]
        }
        return page.render("orders", title: "Orders", staff: staff, values: [
            "orders": rows, "hasOrders": !rows.isEmpty, "next": next as Any, "number": chosen.number ?? "",
            "byCustomer": chosen.customer != nil, "sortByDue": chosen.sort == "due", "product": chosen.product ?? "", "from": chosen.from ?? "", "to": chosen.to ?? "",
            "dueOptions": [("", "Any day"), ("today", "Due to ship today"), ("overdue", "Overdue")].map { value, label in
                ["value": value, "label": label, "selected": (chosen.due ?? "") == value] as [String: Any]
            },
            "statusOptions": OrderStatus.allCases.map { ["value": $0.rawValue, "label": Self.label($0), "selected": $0 == chosen.status] },
        ])
    }

    func order(id: String, staff: StaffSessionContext, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let (orders, accounts, refundStore, events) = (services.orders, services.staff, services.refundStore, services.paymentEvents)
        let found = try await services.database.withConnection { db -> (Order, [OrderTransition], [String: String], [Refund], [PaymentEventRecord])? in
            guard let order = try await orders.find(id: id, on: db) else { return nil }
            let transitions = try await orders.transitions(orderId: id, on: db)
            let refunds = try await refundStore.list(orderId: id, on: db)
            let providerEvents = try await events.list(.init(checkoutId: order.checkoutId), page: PageRequest(limit: 50), on: db).items
            // Staff are named in the audit trail by their display names.
            var names: [String: String] = [:]
            for staffId in Set(transitions.filter { $0.actor.kind == .staff }.compactMap(\.actor.id)) {
                names[staffId] = try await accounts.find(id: staffId, on: db)?.displayName
            }
            return (order, transitions, names, refunds, providerEvents)
        }
        guard let (order, transitions, names, refunds, providerEvents) = found else {
            return page.error(.notFound, heading: "No such order", message: "There is no order with that id.", staff: staff)
        }
        let currency = order.currency
        let lines = order.snapshot.lines.map { ConsoleLineView.values($0, currency: currency) }
        let timeline: [[String: Any]] = transitions.map { step in
            ["at": time(step.at), "from": step.from.map(Self.label) ?? "new", "to": Self.label(step.to),
             "actor": step.actor.kind == .staff ? (step.actor.id.flatMap { names[$0] } ?? "staff")
                : step.actor.kind.rawValue.replacingOccurrences(of: "_", with: " "),
             "reason": step.reason as Any]
        }
        // The customer, opened for this page only (the roles that see orders see their customer, as in the API).
        let customer = try? services.cipher.open(json: order.sealedCustomer, as: CustomerDetails.self)
        let address = customer.map { details -> String in
            let a = details.shippingAddress
            return [a.name, a.line1, a.line2, [a.postalCode, a.city].joined(separator: " "), a.region, a.country]
                .compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", ")
        }
        let refundRows: [[String: Any]] = refunds.map {
            ["amount": Self.money($0.amount, $0.currency), "status": $0.status.rawValue, "reason": $0.reason, "kind": $0.kind.rawValue]
        }
        let eventRows: [[String: Any]] = providerEvents.map { event in
            ["at": time(event.receivedAt), "provider": event.provider, "type": event.type, "outcome": event.outcome,
             "amount": event.amount.map { Self.money($0, event.currency ?? currency) } ?? ""]
        }
        let moves = ConsolePage.movesOrders(staff.account.role)
        let steps: [[String: Any]] = moves ? order.status.next.filter { $0 != .cancelled }.map {
            ["to": $0.rawValue, "label": Self.label($0), "needsTracking": $0 == .shipped]
        } : []
        let refund = order.status == .pendingPayment ? 0 : max(0, order.total - order.refunded)
        let cancel: [String: Any]? = moves && order.status.next.contains(.cancelled)
            ? ["refund": refund > 0 ? "Cancelling refunds \(Self.money(refund, currency)) through \(order.provider.rawValue)." : "Nothing was paid, so nothing is refunded."]
            : nil
        return page.render("order", title: "Order \(order.number)", status: status, staff: staff, values: [
            "customerName": customer?.name ?? "(sealed data could not be opened)", "customerEmail": customer?.email ?? "",
            "customerPhone": customer?.phone as Any, "customerAddress": address ?? "", "paymentRef": order.paymentRef as Any,
            "refunds": refundRows, "hasRefunds": !refundRows.isEmpty, "events": eventRows, "hasEvents": !eventRows.isEmpty,
            "id": order.id, "steps": steps, "hasSteps": !steps.isEmpty, "cancel": cancel as Any, "error": error as Any,
            "number": order.number, "status": Self.label(order.status), "placed": time(order.createdAt),
            "shipBy": order.expectedShipDate, "provider": order.provider.rawValue,
            "tracking": order.tracking.map { "\($0.carrier) \($0.number)" } as Any,
            "lines": lines, "timeline": timeline,
            "subtotal": Self.money(order.subtotal, currency), "shippingName": order.snapshot.shippingName,
            "shipping": Self.money(order.shipping, currency), "tax": Self.money(order.tax, currency),
            "total": Self.money(order.total, currency), "refunded": Self.money(order.refunded, currency),
        ])
    }

    /// The filter form is posted, so that a customer's email never travels in a URL (history, logs, referrers):
    /// it is answered with the list's address, where the email is replaced by its keyed lookup hash.
    func search(_ form: ConsoleForm) async throws -> Response {
        // The form's fields read as the list's address reads them; the email becomes its keyed hash, and a product
        // named by its slug becomes its id.
        var chosen = ConsoleOrderQuery(form)
        chosen.customer = form.text("email").map(services.cipher.lookupHash(email:))
        chosen.product = nil
        if let named = form.text("product").map({ String($0.prefix(80)) }) {
            // A product by its id or its slug; one that does not exist matches no order.
            let products = services.products
            let product = try await services.database.withConnection { db in try await products.find(named, on: db) }
            chosen.product = product?.id ?? Identifier.make(prefix: "prod")
        }
        return ConsolePage.redirect(to: chosen.path())
    }

    static func isLookupHash(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    /// Moves the order on (or cancels it, with its refund) through the same domain call as the admin API, with the
    /// staff member as the actor; what the domain refuses is shown on the order's page.
    func transition(id: String, form: ConsoleForm, staff: StaffSessionContext) async throws -> Response {
        guard let to = form.text("to").flatMap(OrderStatus.init(rawValue:)) else {
            return try await order(id: id, staff: staff, error: "Choose the status to move the order to.", status: .unprocessableContent)
        }
        if to == .cancelled, form.text("reason") == nil {
            return try await order(id: id, staff: staff, error: "A cancellation needs a reason.", status: .unprocessableContent)
        }
        let tracking = to == .shipped
            ? Tracking(carrier: form.text("carrier") ?? "", number: form.text("trackingNumber") ?? "", url: form.text("trackingUrl")) : nil
        let request = OrderTransitionRequest(to: to, reason: form.text("reason"), tracking: tracking,
                                             deliveredAt: to == .delivered ? services.clock.now : nil)
        let (store, refunds) = (services.orders, services.refunds)
        do {
            try request.validate()
            _ = try await services.database.transaction { db in
                try await store.transition(id: id, request, actor: Actor(.staff, staff.account.id), refunds: refunds, on: db)
            }
        } catch let error as AtelierError where error.status < 500 {
            let details = ConsolePage.explain(error)
            return try await order(id: id, staff: staff, error: details, status: HTTPResponse.Status(code: error.status))
        }
        return ConsolePage.redirect(to: "/console/orders/\(id)")
    }

    static func label(_ status: OrderStatus) -> String { status.rawValue.replacingOccurrences(of: "_", with: " ") }

    static func money(_ amount: Int64, _ currency: String) -> String {
        "\(CurrencyUnits.decimalString(amount, currency: currency)) \(currency)"
    }

    /// A moment in the shop's time zone, to the minute, with the zone named (`2026-11-29 09:59 Europe/Berlin`).
    func time(_ date: Date) -> String {
        let zone = services.configuration.catalog.shipDates.timeZone
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d ", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0, parts.minute ?? 0)
            + zone.identifier
    }
}
