import Atelier
import Foundation

/// The orders list's filters as its address carries them (`status`, `due`, `number`, `customer` — the keyed hash of
/// an email, never the email —, `product` — an id —, `from` and `to` — shop-local days, both included), read into the
/// admin API's own `OrderStore.ListFilter` and written back for the next page's link.
struct ConsoleOrderQuery {
    var status: OrderStatus?
    var due: String?
    var number: String?
    var customer: String?
    var product: String?
    var from: String?
    var to: String?
    /// "due": soonest expected ship date first; otherwise newest first.
    var sort: String?

    init(_ query: ConsoleForm) {
        status = query.text("status").flatMap(OrderStatus.init(rawValue:))
        due = query.text("due").flatMap { ["today", "overdue"].contains($0) ? $0 : nil }
        number = query.text("number").map { String($0.prefix(40)) }
        customer = query.text("customer").flatMap { ConsoleOrders.isLookupHash($0) ? $0 : nil }
        product = query.text("product").flatMap { Identifier.isWellFormed($0, prefix: "prod") ? $0 : nil }
        from = query.text("from").flatMap { Self.isDay($0) ? $0 : nil }
        to = query.text("to").flatMap { Self.isDay($0) ? $0 : nil }
        sort = query.text("sort") == "due" ? "due" : nil
    }

    func filter(timeZone: TimeZone, today: String) -> OrderStore.ListFilter {
        var filter = OrderStore.ListFilter(status: status, from: from.flatMap { Self.start(of: $0, in: timeZone, plusDays: 0) },
                                           to: to.flatMap { Self.start(of: $0, in: timeZone, plusDays: 1) },
                                           productId: product, emailHash: customer, number: number)
        if sort == "due" { filter.sort = .dueFirst }
        switch due {
        case "today": filter.due = .on(today)
        case "overdue": filter.due = .before(today)
        default: break
        }
        return filter
    }

    /// The list's address with these filters (and a page's cursor).
    func path(cursor: String? = nil) -> String {
        var parts = URLComponents()
        parts.path = "/console/orders"
        let items = [("status", status?.rawValue), ("due", due), ("number", number), ("customer", customer), ("product", product),
                     ("from", from), ("to", to), ("sort", sort), ("cursor", cursor)]
            .compactMap { name, value in value.map { URLQueryItem(name: name, value: $0) } }
        parts.queryItems = items.isEmpty ? nil : items
        return parts.string ?? "/console/orders"
    }

    static func isDay(_ text: String) -> Bool {
        let parts = text.split(separator: "-")
        return text.utf8.count == 10 && parts.count == 3 && parts.allSatisfy { $0.allSatisfy(\.isASCII) && Int($0) != nil }
    }

    private static func start(of day: String, in timeZone: TimeZone, plusDays: Int) -> Date? {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = timeZone
        let parts = day.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, let date = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])) else { return nil }
        return calendar.date(byAdding: .day, value: plusDays, to: date)
    }
}
