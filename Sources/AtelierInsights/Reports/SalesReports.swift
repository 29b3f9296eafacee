import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import Foundation
import SQLKit

/// Sales and option reports over a range of shop-local days, read from the daily aggregate plus the
/// ledger entries not folded yet (see `SalesLedger`). Every amount is in the shop's currency.
public struct SalesReports: Sendable {
    public enum Interval: String, Sendable, CaseIterable { case day, week, month }

    /// An inclusive range of shop-local days.
    public struct Range: Sendable, Equatable {
        public var from: String
        public var to: String
    }

    public struct ProductLine: Sendable, Equatable {
        public var productId: String
        public var name: String
        /// nil: every template version together (the product breakdown) or a product without a template.
        public var templateVersion: Int?
        public var figures: SalesLedger.Figures
    }

    public struct Bucket: Sendable, Equatable {
        /// The period's first and last day inside the range.
        public var from: String
        public var to: String
        public var figures: SalesLedger.Figures
    }

    public struct SalesReport: Sendable, Equatable {
        public var range: Range
        public var interval: Interval
        public var summary: SalesLedger.Figures
        public var products: [ProductLine]
        public var templates: [ProductLine]
        public var trend: [Bucket]
    }

    public struct Choice: Sendable, Equatable {
        /// `variant`, `addon`, `font`, `text_colour`, `colour` or `component`.
        public var kind: String
        /// The variant dimension, add-on group or zone.
        public var attribute: String
        public var value: String
        public var orders: Int64
        public var units: Int64
    }

    public static let maxDays = 3660

    public let ledger: SalesLedger
    public let currency: String

    public init(ledger: SalesLedger, currency: String) {
        self.ledger = ledger
        self.currency = currency
    }

    /// Checks a range: real calendar days, `from` not after `to`, at most `maxDays` days.
    public func range(from: String, to: String) throws -> Range {
        var problems = ValidationErrors()
        for (pointer, day) in [("/from", from), ("/to", to)] where !isDay(day) {
            problems.add(pointer, .invalidDate, "must be a calendar date like 2026-03-31.")
        }
        try problems.check()
        let days = dayCount(from: from, to: to)
        if from > to { problems.add("/to", .beforeFrom, "must not be before from.") }
        if days > Self.maxDays { problems.add("/to", .rangeTooLong, "a report covers at most \(Self.maxDays) days.") }
        try problems.check()
        return Range(from: from, to: to)
    }

    func isDay(_ text: String) -> Bool {
        guard text.utf8.count == 10, let start = ledger.start(of: text) else { return false }
        return ledger.day(of: start) == text
    }

    func dayCount(from: String, to: String) -> Int {
        guard let start = ledger.start(of: from), let end = ledger.start(of: to) else { return 0 }
        return (ledger.calendar.dateComponents([.day], from: start, to: end).day ?? 0) + 1
    }

    // MARK: reports

    public func sales(_ range: Range, interval: Interval, on db: any SQLDatabase) async throws -> SalesReport {
        let days = try await rows(dimension: "order", byDay: true, range, on: db)
        var summary = SalesLedger.Figures()
        var perDay: [String: SalesLedger.Figures] = [:]
        for row in days {
            summary += row.figures
            perDay[row.day, default: .init()] += row.figures
        }
        var trend = buckets(range, interval: interval)
        var index = 0
        for day in perDay.keys.sorted() {  // days and buckets both in order: one walk
            while index < trend.count, trend[index].to < day { index += 1 }
            if index < trend.count, day >= trend[index].from { trend[index].figures += perDay[day]! }
        }
        var products: [String: ProductLine] = [:]
        var templates: [ProductLine] = []
        for row in try await rows(dimension: "product", byDay: false, range, on: db) {
            var product = products[row.item] ?? ProductLine(productId: row.item, name: row.label, templateVersion: nil, figures: .init())
            product.figures += row.figures
            if product.name.isEmpty { product.name = row.label }
            products[row.item] = product
            templates.append(ProductLine(productId: row.item, name: row.label, templateVersion: Int(row.detail), figures: row.figures))
        }
        let order: (ProductLine, ProductLine) -> Bool = { lhs, rhs in
            (lhs.figures.subtotal, rhs.productId, rhs.templateVersion ?? 0) > (rhs.figures.subtotal, lhs.productId, lhs.templateVersion ?? 0)
        }
        return SalesReport(range: range, interval: interval, summary: summary, products: products.values.sorted(by: order),
                           templates: templates.sorted(by: order), trend: trend)
    }

    /// The values chosen most, per kind and attribute, most units first; at most `limit` per attribute.
    public func options(_ range: Range, limit: Int, on db: any SQLDatabase) async throws -> [Choice] {
        var byAttribute: [String: [Choice]] = [:]
        for row in try await rows(dimension: "option", byDay: false, range, on: db) {
            let parts = row.item.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, row.figures.units > 0 else { continue }
            byAttribute[row.item, default: []].append(Choice(kind: parts[0], attribute: parts[1], value: row.detail,
                                                             orders: row.figures.orders, units: row.figures.units))
        }
        return byAttribute.keys.sorted().flatMap { key in
            byAttribute[key]!.sorted { ($0.units, $1.value) > ($1.units, $0.value) }.prefix(limit)
        }
    }

    /// Every bucket of the range, empty ones included: days, ISO weeks (Monday to Sunday) or calendar
    /// months, the first and last cut to the range.
    public func buckets(_ range: Range, interval: Interval) -> [Bucket] {
        guard var day = ledger.start(of: range.from) else { return [] }
        let calendar = ledger.calendar
        var buckets: [Bucket] = []
        while true {
            let label = ledger.day(of: day)
            guard label <= range.to else { break }
            let startsBucket: Bool = switch interval {
            case .day: true
            case .week: calendar.component(.weekday, from: day) == 2  // Monday
            case .month: calendar.component(.day, from: day) == 1
            }
            if buckets.isEmpty || startsBucket {
                buckets.append(Bucket(from: label, to: label, figures: .init()))
            } else {
                buckets[buckets.count - 1].to = label
            }
            // Noon of the next day, then its start: safe across daylight-saving changes.
            guard let next = calendar.date(byAdding: .hour, value: 36, to: day).map({ calendar.startOfDay(for: $0) }) else { break }
            day = next
        }
        return buckets
    }

    // MARK: rows

    struct Row {
        var day: String
        var item: String
        var detail: String
        var label: String
        var figures: SalesLedger.Figures
    }

    /// The aggregate's rows of one dimension in the range, grouped by day (or over the whole range), with
    /// the unfolded entries added.
    func rows(dimension: String, byDay: Bool, _ range: Range, on db: any SQLDatabase) async throws -> [Row] {
        let sums = """
            CAST(SUM(orders) AS BIGINT) AS orders, CAST(SUM(units) AS BIGINT) AS units, CAST(SUM(subtotal) AS BIGINT) AS subtotal,
            CAST(SUM(shipping) AS BIGINT) AS shipping, CAST(SUM(tax) AS BIGINT) AS tax, CAST(SUM(total) AS BIGINT) AS total,
            CAST(SUM(cancelled) AS BIGINT) AS cancelled, CAST(SUM(refunded) AS BIGINT) AS refunded
            """
        let group = byDay ? "local_day, item, detail" : "item, detail"
        let daily = try await db.raw("""
            SELECT \(unsafeRaw: byDay ? "local_day" : "MIN(local_day) AS local_day"), item, detail, MAX(label) AS label, \(unsafeRaw: sums)
            FROM report_daily
            WHERE dimension = \(bind: dimension) AND currency = \(bind: currency) AND local_day >= \(bind: range.from) AND local_day <= \(bind: range.to)
            GROUP BY \(unsafeRaw: group)
            """).all()
        var merged: [String: Row] = [:]
        var order: [String] = []
        func add(_ row: Row) {
            let key = (byDay ? row.day : "") + "\u{1}" + row.item + "\u{1}" + row.detail
            if var existing = merged[key] {
                existing.figures += row.figures
                if existing.label.isEmpty { existing.label = row.label }
                merged[key] = existing
            } else {
                merged[key] = row
                order.append(key)
            }
        }
        for row in daily {
            add(Row(day: try row.decode(column: "local_day", as: String.self), item: try row.decode(column: "item", as: String.self),
                    detail: try row.decode(column: "detail", as: String.self), label: try row.decode(column: "label", as: String.self),
                    figures: try SalesLedger.figures(row)))
        }
        guard let start = ledger.start(of: range.from), let lastDay = ledger.start(of: range.to),
              let end = ledger.calendar.date(byAdding: .hour, value: 36, to: lastDay).map(ledger.calendar.startOfDay(for:))
        else { return [] }
        let pending = try await db.raw("""
            SELECT paid_at, item, detail, label, orders, units, subtotal, shipping, tax, total, cancelled, refunded FROM report_entries
            WHERE dimension = \(bind: dimension) AND currency = \(bind: currency) AND paid_at >= \(bind: start) AND paid_at < \(bind: end)
            """).all()
        for row in pending {
            add(Row(day: ledger.day(of: try row.decode(column: "paid_at", as: Date.self)), item: try row.decode(column: "item", as: String.self),
                    detail: try row.decode(column: "detail", as: String.self), label: try row.decode(column: "label", as: String.self),
                    figures: try SalesLedger.figures(row)))
        }
        return order.map { merged[$0]! }
    }
}

extension SalesReports {
    /// The sales report as CSV: one row per summary, product, template version and trend period, amounts in
    /// minor units of `currency`.
    public static func csv(_ report: SalesReport, currency: String) -> String {
        var lines = ["section,from,to,product_id,product_name,template_version,orders,units,sales,shipping,tax,total,revenue,cancelled_orders,refunded,currency"]
        func line(_ section: String, _ from: String, _ to: String, _ product: ProductLine?, _ f: SalesLedger.Figures) {
            let fields = [section, from, to, product?.productId ?? "", product?.name ?? "", product?.templateVersion.map(String.init) ?? "",
                          String(f.orders), String(f.units), String(f.subtotal), String(f.shipping), String(f.tax), String(f.total),
                          String(f.revenue), String(f.cancelled), String(f.refunded), currency]
            lines.append(fields.map(CSVField.escape).joined(separator: ","))
        }
        line("summary", report.range.from, report.range.to, nil, report.summary)
        for product in report.products { line("product", report.range.from, report.range.to, product, product.figures) }
        for template in report.templates { line("template", report.range.from, report.range.to, template, template.figures) }
        for bucket in report.trend { line(report.interval.rawValue, bucket.from, bucket.to, nil, bucket.figures) }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    public static func csv(_ choices: [Choice], range: Range) -> String {
        var lines = ["from,to,kind,attribute,value,orders,units"]
        for choice in choices {
            lines.append([range.from, range.to, choice.kind, choice.attribute, choice.value, String(choice.orders), String(choice.units)]
                .map(CSVField.escape).joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}
