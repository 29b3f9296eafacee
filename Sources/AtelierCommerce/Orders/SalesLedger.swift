import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Foundation
import SQLKit

/// Keeps the sales reports' day-by-day aggregate, so that a report over any range reads at most a few
/// rows per day however many orders there are.
///
/// A paid order and a cancellation each append their contribution to `report_entries` inside their own
/// transaction: insert-only rows, so concurrent payments never wait on one hot aggregate row. A job
/// folds the entries into `report_daily` (one row per dimension, shop-local day and item) and deletes them
/// in one transaction; reports add the entries not folded yet, so they are exact at every moment.
///
/// Dimensions: `order` (the order's totals), `product` (item: product id, detail: template version),
/// `option` (item: `variant:DIMENSION`, `addon:GROUP`, `font:ZONE`, `text_colour:ZONE`, `colour:ZONE`,
/// `component:ZONE`; detail: the chosen value). An order counts on the shop-local day it was paid; a
/// cancellation takes it back out of that day's orders, units and sales and counts it as cancelled with
/// the amount it refunded. A refund of part of an order adds to the `refunded` of the day the order was paid
/// too (and a refund that failed takes its amount back out), so `refunded` is, per day, what was given back
/// for the orders paid that day: the same sum `rebuild` finds in `orders.refunded`.
public struct SalesLedger: Sendable {
    public struct Figures: Sendable, Equatable {
        public var orders: Int64 = 0
        public var units: Int64 = 0
        public var subtotal: Int64 = 0
        public var shipping: Int64 = 0
        public var tax: Int64 = 0
        public var total: Int64 = 0
        public var cancelled: Int64 = 0
        public var refunded: Int64 = 0

        public init() {}

        package static func + (lhs: Figures, rhs: Figures) -> Figures {
            var sum = lhs
            sum.orders += rhs.orders
            sum.units += rhs.units
            sum.subtotal += rhs.subtotal
            sum.shipping += rhs.shipping
            sum.tax += rhs.tax
            sum.total += rhs.total
            sum.cancelled += rhs.cancelled
            sum.refunded += rhs.refunded
            return sum
        }

        package static func += (lhs: inout Figures, rhs: Figures) { lhs = lhs + rhs }

        /// What customers paid, without the tax collected for the authorities.
        public var revenue: Int64 { total - tax }
    }

    /// One contribution: where it counts and what it adds.
    public struct Entry: Sendable, Equatable {
        public var dimension: String
        public var item: String
        public var detail: String
        public var label: String
        public var figures: Figures
    }

    struct Key: Hashable {
        var dimension: String
        var day: String
        var currency: String
        var item: String
        var detail: String
    }

    public let timeZone: TimeZone
    /// Entries folded per transaction.
    public static let foldBatch = 5000

    public init(timeZone: TimeZone) { self.timeZone = timeZone }

    // MARK: contributions

    /// What an order (made from `snapshot`, which holds its lines and totals) adds when it is paid
    /// (`cancelled: false`), or what its cancellation changes.
    public static func entries(for snapshot: CheckoutSnapshot, cancelled: Bool, refunded: Int64 = 0) -> [Entry] {
        let sign: Int64 = cancelled ? -1 : 1
        let lines = snapshot.lines
        var figures = Figures()
        figures.orders = sign
        figures.units = sign * lines.reduce(0) { $0 + Int64($1.quantity) }
        figures.subtotal = sign * snapshot.subtotal
        figures.shipping = sign * snapshot.shipping
        figures.tax = sign * snapshot.tax
        figures.total = sign * snapshot.total
        if cancelled {
            figures.cancelled = 1
            figures.refunded = refunded
        }
        var entries = [Entry(dimension: "order", item: "", detail: "", label: "", figures: figures)]

        // Per product and template version, and per chosen value: units and sales summed over the order's
        // lines; the order counted once however many of its lines share the key.
        var products: [[String]: (label: String, figures: Figures)] = [:]
        var options: [[String]: Figures] = [:]
        for line in lines {
            let quantity = sign * Int64(line.quantity)
            let productKey = [line.productId, line.templateVersion.map(String.init) ?? ""]
            var product = products[productKey] ?? (line.productName, Figures())
            product.figures.units += quantity
            product.figures.subtotal += sign * line.amount
            products[productKey] = product
            for (item, value) in choices(of: line.state) {
                var option = options[[item, value]] ?? Figures()
                option.units += quantity
                option.subtotal += sign * line.amount
                options[[item, value]] = option
            }
        }
        for (key, product) in products.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            var figures = product.figures
            figures.orders = sign
            entries.append(Entry(dimension: "product", item: key[0], detail: key[1], label: product.label, figures: figures))
        }
        for (key, var figures) in options.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            figures.orders = sign
            entries.append(Entry(dimension: "option", item: key[0], detail: key[1], label: "", figures: figures))
        }
        return entries
    }

    /// Every choice a line carries, as (item, value): variant values, add-ons and zone choices. Texts and
    /// images are the shopper's own and never reported.
    static func choices(of state: CustomizationState) -> [(String, String)] {
        var choices: [(String, String)] = []
        for (dimension, value) in state.selection { choices.append(("variant:" + dimension, value)) }
        for (group, values) in state.options { for value in Set(values) { choices.append(("addon:" + group, value)) } }
        for (zone, value) in state.zones {
            if let font = value.text?.font { choices.append(("font:" + zone, font)) }
            if let colour = value.text?.colour { choices.append(("text_colour:" + zone, colour)) }
            if let colour = value.colour { choices.append(("colour:" + zone, colour)) }
            for component in Set(value.components ?? []) { choices.append(("component:" + zone, component)) }
        }
        return choices
    }

    /// Appends an order's contribution; call inside the transaction that pays or cancels it. One statement
    /// for all its rows: this runs in every payment.
    public static func record(_ order: Order, cancelled: Bool, refunded: Int64 = 0, on db: any SQLDatabase) async throws {
        let rows: [[any Encodable & Sendable]] = entries(for: order.snapshot, cancelled: cancelled, refunded: refunded).map { entry in
            let f = entry.figures
            return [Identifier.make(prefix: "rpe"), order.paidAt, order.currency, entry.dimension, entry.item, entry.detail, entry.label,
                    f.orders, f.units, f.subtotal, f.shipping, f.tax, f.total, f.cancelled, f.refunded]
        }
        let insert = db.insert(into: "report_entries")
            .columns("id", "paid_at", "currency", "dimension", "item", "detail", "label", "orders", "units", "subtotal", "shipping", "tax",
                     "total", "cancelled", "refunded")
        for row in rows { insert.values(row) }  // each call adds a row
        try await insert.run()
    }

    /// What a refund of part of an order adds (a negative `amount` takes back a refund that failed): only to the
    /// orders' `refunded`, on the day the order was paid.
    public static func refundEntry(_ amount: Int64) -> Entry {
        var figures = Figures()
        figures.refunded = amount
        return Entry(dimension: "order", item: "", detail: "", label: "", figures: figures)
    }

    /// Appends a refund's contribution; call inside the transaction that decides the refund (or records its failure).
    public static func recordRefund(of order: Order, amount: Int64, on db: any SQLDatabase) async throws {
        let f = refundEntry(amount).figures
        try await db.insert(into: "report_entries")
            .columns("id", "paid_at", "currency", "dimension", "item", "detail", "label", "orders", "units", "subtotal", "shipping", "tax",
                     "total", "cancelled", "refunded")
            .values([Identifier.make(prefix: "rpe"), order.paidAt, order.currency, "order", "", "", "", f.orders, f.units, f.subtotal,
                     f.shipping, f.tax, f.total, f.cancelled, f.refunded] as [any Encodable & Sendable])
            .run()
    }

    // MARK: days

    package var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    /// The shop-local calendar day of an instant, as `YYYY-MM-DD`.
    /// Entries the fold job has not moved into the daily aggregate yet; growing means it is not running.
    public static func unfoldedEntries(on db: any SQLDatabase) async throws -> Int {
        try await db.raw("SELECT COUNT(*) AS n FROM report_entries").first(decodingColumn: "n", as: Int.self) ?? 0
    }

    public func day(of date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    /// The instant a shop-local day starts (midnight, or the first hour there is on a DST day).
    public func start(of day: String) -> Date? {
        let parts = day.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        return calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2]))
            .map { calendar.startOfDay(for: $0) }
    }

    // MARK: folding

    /// Folds up to `limit` entries into the daily aggregate and deletes them, atomically; answers how many.
    /// Two folders at once never count an entry twice: each entry is deleted by exactly one of them.
    @discardableResult
    public func fold(limit: Int = Self.foldBatch, on db: any SQLDatabase) async throws -> Int {
        let rows = try await db.raw("""
            DELETE FROM report_entries WHERE id IN (SELECT id FROM report_entries ORDER BY id LIMIT \(bind: limit))
            RETURNING paid_at, currency, dimension, item, detail, label, orders, units, subtotal, shipping, tax, total, cancelled, refunded
            """).all()
        var sums: [Key: (label: String, figures: Figures)] = [:]
        for row in rows {
            let key = Key(dimension: try row.decode(column: "dimension", as: String.self),
                          day: day(of: try row.decode(column: "paid_at", as: Date.self)),
                          currency: try row.decode(column: "currency", as: String.self),
                          item: try row.decode(column: "item", as: String.self), detail: try row.decode(column: "detail", as: String.self))
            let label = try row.decode(column: "label", as: String.self)
            var sum = sums[key] ?? (label, Figures())
            let figures = try Self.figures(row)
            sum.figures += figures
            sums[key] = sum
        }
        try await add(sums, on: db)
        return rows.count
    }

    func add(_ sums: [Key: (label: String, figures: Figures)], on db: any SQLDatabase) async throws {
        // In key order, so that two folders never wait on each other's rows in opposite orders.
        let keys = sums.keys.sorted { ($0.dimension, $0.currency, $0.day, $0.item, $0.detail) < ($1.dimension, $1.currency, $1.day, $1.item, $1.detail) }
        for key in keys {
            let (label, f) = sums[key]!
            try await db.raw("""
                INSERT INTO report_daily (dimension, local_day, currency, item, detail, label, orders, units, subtotal, shipping, tax, total,
                    cancelled, refunded)
                VALUES (\(bind: key.dimension), \(bind: key.day), \(bind: key.currency), \(bind: key.item), \(bind: key.detail), \(bind: label),
                    \(bind: f.orders), \(bind: f.units), \(bind: f.subtotal), \(bind: f.shipping), \(bind: f.tax), \(bind: f.total),
                    \(bind: f.cancelled), \(bind: f.refunded))
                ON CONFLICT (dimension, currency, local_day, item, detail) DO UPDATE SET
                    label = CASE WHEN excluded.label = '' THEN report_daily.label ELSE excluded.label END,
                    orders = report_daily.orders + excluded.orders, units = report_daily.units + excluded.units,
                    subtotal = report_daily.subtotal + excluded.subtotal, shipping = report_daily.shipping + excluded.shipping,
                    tax = report_daily.tax + excluded.tax, total = report_daily.total + excluded.total,
                    cancelled = report_daily.cancelled + excluded.cancelled, refunded = report_daily.refunded + excluded.refunded
                """).run()
        }
    }

    package static func figures(_ row: any SQLRow) throws -> Figures {
        var f = Figures()
        f.orders = try row.decode(column: "orders", as: Int64.self)
        f.units = try row.decode(column: "units", as: Int64.self)
        f.subtotal = try row.decode(column: "subtotal", as: Int64.self)
        f.shipping = try row.decode(column: "shipping", as: Int64.self)
        f.tax = try row.decode(column: "tax", as: Int64.self)
        f.total = try row.decode(column: "total", as: Int64.self)
        f.cancelled = try row.decode(column: "cancelled", as: Int64.self)
        f.refunded = try row.decode(column: "refunded", as: Int64.self)
        return f
    }
}
