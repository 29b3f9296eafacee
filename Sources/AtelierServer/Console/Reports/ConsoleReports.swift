import Atelier
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The reports: sales by day, week or month as charts, sales by product and template version, option popularity,
/// each with its CSV. Read through the same domain reports as the admin API, and the CSV written by the same
/// domain functions as the API's `text/csv` answers, so that a file downloaded here is the API's, byte for byte.
struct ConsoleReports: Sendable {
    let services: AppServices
    let page: ConsolePage

    /// The days a report covers when none are chosen: the last 30 shop-local days, today included.
    static let defaultDays = 30
    /// The most periods the page draws; a longer range is shown by week or month (its CSV is not limited).
    static let maxPeriods = 100
    /// The values ranked per attribute (the API's default).
    static let optionsLimit = 10

    /// The range and periods asked for, with what is wrong with them by field (`from`, `to`, `interval`).
    struct Chosen {
        var from: String
        var to: String
        var interval: SalesReports.Interval = .day
        var range: SalesReports.Range?
        var problems: [String: String] = [:]
        var status: HTTPResponse.Status = .ok

        /// The query of the page and its downloads (only used once the range is checked: days need no escaping).
        func query(_ interval: SalesReports.Interval) -> String { "from=\(from)&to=\(to)&interval=\(interval.rawValue)" }
    }

    func respond(_ route: ReportsRoute, form: ConsoleForm, staff: StaffSessionContext) async throws -> Response {
        guard ConsolePage.seesShop(staff.account.role) else {
            return page.refuse(staff, "Reports are not shown to the \(staff.account.role.rawValue) role.")
        }
        let chosen = try choose(form)
        switch route {
        case .reports: return try await report(chosen, staff: staff)
        case .download(let download): return try await file(download, chosen, staff: staff)
        }
    }

    /// The query's range and periods, checked by the domain as the API checks them; a missing `to` is today and a
    /// missing `from` the 29th day before `to` (in the shop's time zone).
    func choose(_ form: ConsoleForm) throws -> Chosen {
        let reports = services.salesReports
        let today = ShopDay(timeZone: reports.ledger.timeZone, now: services.clock.now).date
        let to = form.text("to") ?? today
        let from = form.text("from") ?? day(to, plus: 1 - Self.defaultDays) ?? day(today, plus: 1 - Self.defaultDays) ?? today
        var chosen = Chosen(from: from, to: to)
        if let text = form.text("interval") {
            if let interval = SalesReports.Interval(rawValue: text) {
                chosen.interval = interval
            } else {
                chosen.problems["interval"] = "Choose days, weeks or months."
                chosen.status = .unprocessableContent
            }
        }
        do {
            chosen.range = try reports.range(from: from, to: to)
        } catch let error as AtelierError where error.status < 500 {
            for problem in error.errors {
                let field = String(problem.pointer.split(separator: "/").last ?? "from")
                let message: String = problem.message.hasPrefix("must")
                    ? "\(field.prefix(1).uppercased() + field.dropFirst()) \(problem.message)"
                    : problem.message.prefix(1).uppercased() + problem.message.dropFirst()
                chosen.problems[field] = chosen.problems[field].map { $0 + " " + message } ?? message
            }
            if error.errors.isEmpty { chosen.problems["from"] = error.detail }
            chosen.status = HTTPResponse.Status(code: error.status)
        }
        return chosen
    }

    /// The page: the range's form, and (for a good range) the summary, the charts, the tables and the downloads.
    func report(_ chosen: Chosen, staff: StaffSessionContext) async throws -> Response {
        var chosen = chosen
        let reports = services.salesReports
        if let range = chosen.range, chosen.problems.isEmpty, reports.buckets(range, interval: chosen.interval).count > Self.maxPeriods {
            chosen.problems["interval"] = "A chart shows at most \(Self.maxPeriods) periods: choose weeks or months, or a shorter range."
            chosen.status = .unprocessableContent
        }
        let fields = ["from", "to", "interval"]
        var values: [String: Any] = [
            "from": chosen.from, "to": chosen.to, "timeZone": reports.ledger.timeZone.identifier, "currency": reports.currency,
            "intervals": SalesReports.Interval.allCases.map { interval -> [String: Any] in
                ["value": interval.rawValue, "label": Self.periods(interval), "selected": interval == chosen.interval]
            },
            "fromError": chosen.problems["from"] as Any, "toError": chosen.problems["to"] as Any,
            "intervalError": chosen.problems["interval"] as Any,
            "errors": fields.compactMap { field -> [String: Any]? in chosen.problems[field].map { ["field": field, "message": $0] } },
            "hasErrors": !chosen.problems.isEmpty,
        ]
        guard let range = chosen.range, chosen.problems.isEmpty else {
            return page.render("reports", title: "Reports", status: chosen.status, staff: staff, values: values)
        }
        let interval = chosen.interval
        let limit = Self.optionsLimit
        let (report, choices) = try await services.database.withConnection { db -> (SalesReports.SalesReport, [SalesReports.Choice]) in
            (try await reports.sales(range, interval: interval, on: db), try await reports.options(range, limit: limit, on: db))
        }
        values["switches"] = SalesReports.Interval.allCases.map { other -> [String: Any] in
            ["value": other.rawValue, "href": "/console/reports?" + chosen.query(other), "label": "By \(other.rawValue)",
             "current": other == interval]
        }
        values["report"] = view(report, choices: choices, query: chosen.query(interval))
        return page.render("reports", title: "Reports", staff: staff, values: values)
    }

    /// A CSV download for the range: written by the domain's CSV functions as the API writes them. The products'
    /// and template versions' files are the sales file's summary row and rows of that section.
    func file(_ download: ReportsRoute.Download, _ chosen: Chosen, staff: StaffSessionContext) async throws -> Response {
        guard let range = chosen.range, chosen.problems.isEmpty else { return try await report(chosen, staff: staff) }
        let reports = services.salesReports
        let (interval, limit) = (chosen.interval, Self.optionsLimit)
        let csv: String
        switch download {
        case .options:
            let choices = try await services.database.withConnection { db in try await reports.options(range, limit: limit, on: db) }
            csv = SalesReports.csv(choices, range: range)
        case .sales, .products, .templateVersions:
            var report = try await services.database.withConnection { db in try await reports.sales(range, interval: interval, on: db) }
            if download == .products { (report.templates, report.trend) = ([], []) }
            if download == .templateVersions { (report.products, report.trend) = ([], []) }
            csv = SalesReports.csv(report, currency: reports.currency)
        }
        let name = "\(download.rawValue)-\(range.from)-to-\(range.to)" + (download == .sales ? "-by-\(interval.rawValue)" : "") + ".csv"
        return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(name)\""],
                        body: .init(byteBuffer: ByteBuffer(string: csv)))
    }

    // MARK: the page's values

    private func view(_ report: SalesReports.SalesReport, choices: [SalesReports.Choice], query: String) -> [String: Any] {
        let currency = services.salesReports.currency
        let amount: @Sendable (Int64) -> String = { CurrencyUnits.decimalString($0, currency: currency) }
        let interval = report.interval
        let trend = report.trend
        let span = "from \(report.range.from) to \(report.range.to)"

        let revenue = SVGChart(
            id: "revenue-chart", title: "Revenue by \(interval.rawValue), \(currency)",
            description: Self.describe("Revenue (what customers paid, without tax)", trend, interval: interval, span: span,
                                       total: ConsoleOrders.money(report.summary.revenue, currency)) {
                ($0.figures.revenue, ConsoleOrders.money($0.figures.revenue, currency))
            },
            data: trend.map { bucket in
                let value = bucket.figures.revenue
                return SVGChart.Datum(key: bucket.from, label: Self.label(bucket, interval), value: value, text: value == 0 ? "0" : amount(value))
            },
            tickText: amount, emptyNote: "No sales \(span)")
        let orders = SVGChart(
            id: "orders-chart", title: "Orders by \(interval.rawValue)",
            description: Self.describe("Orders", trend, interval: interval, span: span, total: String(report.summary.orders)) {
                ($0.figures.orders, String($0.figures.orders))
            },
            data: trend.map { bucket in
                SVGChart.Datum(key: bucket.from, label: Self.label(bucket, interval), value: bucket.figures.orders, text: String(bucket.figures.orders))
            },
            emptyNote: "No orders \(span)")
        let options = SVGChart(
            id: "options-chart", title: "Options chosen most, by units",
            description: choices.isEmpty ? "No options were chosen in orders \(span)."
                : "For each variant dimension, add-on group and zone, its values chosen most in orders \(span), by units, most first.",
            data: choices.map { choice in
                SVGChart.Datum(key: "\(choice.kind):\(choice.attribute)=\(choice.value)", label: Self.label(choice), value: choice.units,
                               text: "\(Self.count(choice.units, "unit")), \(Self.count(choice.orders, "order"))")
            },
            emptyNote: "No options chosen \(span)")

        let summary = report.summary
        let average = summary.orders > 0 ? (summary.revenue * 2 + summary.orders) / (summary.orders * 2) : 0
        return [
            "span": span, "periodNoun": interval.rawValue,
            "orders": String(summary.orders), "units": String(summary.units), "revenue": ConsoleOrders.money(summary.revenue, currency),
            "ordersWord": summary.orders == 1 ? "order" : "orders", "unitsWord": summary.units == 1 ? "item" : "items",
            "total": ConsoleOrders.money(summary.total, currency), "average": ConsoleOrders.money(average, currency),
            "cancelled": String(summary.cancelled), "refunded": ConsoleOrders.money(summary.refunded, currency),
            "revenueChart": revenue.line(), "ordersChart": orders.columns(), "optionsChart": options.bars(),
            "revenueScrolls": revenue.frame().width > Self.pageWidth, "ordersScrolls": orders.frame().width > Self.pageWidth,
            "trend": trend.map { bucket -> [String: Any] in
                ["period": bucket.from == bucket.to ? bucket.from : "\(bucket.from) to \(bucket.to)", "orders": String(bucket.figures.orders),
                 "units": String(bucket.figures.units), "revenue": ConsoleOrders.money(bucket.figures.revenue, currency)]
            },
            "products": Self.rows(report.products, currency: currency), "hasProducts": !report.products.isEmpty,
            "templates": Self.rows(report.templates, currency: currency), "hasTemplates": !report.templates.isEmpty,
            "salesCSV": "/console/reports/sales.csv?" + query, "productsCSV": "/console/reports/products.csv?" + query,
            "templatesCSV": "/console/reports/template-versions.csv?" + query, "optionsCSV": "/console/reports/options.csv?" + query,
        ]
    }

    /// Wider than this, a chart scrolls sideways in its frame (which then takes the keyboard's focus).
    static let pageWidth = 1040.0

    /// A table's rows, each with its sales drawn as a bar against the largest and written next to it.
    private static func rows(_ lines: [SalesReports.ProductLine], currency: String) -> [[String: Any]] {
        let largest = lines.map(\.figures.subtotal).max() ?? 0
        return lines.map { line in
            ["name": line.name.isEmpty ? line.productId : line.name, "productId": line.productId,
             "version": line.templateVersion.map { "Version \($0)" } ?? "No template",
             "orders": String(line.figures.orders), "units": String(line.figures.units),
             "sales": ConsoleOrders.money(line.figures.subtotal, currency), "bar": SVGChart.cell(line.figures.subtotal, of: largest)]
        }
    }

    /// A chart's description: what it shows, its sum over the range and its largest period.
    private static func describe(_ what: String, _ trend: [SalesReports.Bucket], interval: SalesReports.Interval, span: String,
                                 total: String, _ figure: (SalesReports.Bucket) -> (value: Int64, text: String)) -> String {
        var text = "\(what) \(span) by \(interval.rawValue): \(total) in all."
        if let largest = trend.max(by: { figure($0).value < figure($1).value }), figure(largest).value > 0 {
            text += " The most, \(figure(largest).text), in the \(interval.rawValue) from \(largest.from)."
        }
        return text + " The figures are also in the table of periods below the charts."
    }

    /// A period's axis label: a day or a week's Monday as `MM-DD`, a month as `YYYY-MM`.
    static func label(_ bucket: SalesReports.Bucket, _ interval: SalesReports.Interval) -> String {
        interval == .month ? String(bucket.from.prefix(7)) : String(bucket.from.dropFirst(5))
    }

    /// An option as ranked: `size: large`, or with its kind when it is not a variant's (`initials (font): Serif`).
    static func label(_ choice: SalesReports.Choice) -> String {
        let attribute = choice.kind == "variant" ? choice.attribute
            : "\(choice.attribute) (\(choice.kind.replacingOccurrences(of: "_", with: " ")))"
        return "\(attribute): \(choice.value)"
    }

    static func periods(_ interval: SalesReports.Interval) -> String {
        switch interval {
        case .day: "Days"
        case .week: "Weeks (Monday to Sunday)"
        case .month: "Months"
        }
    }

    static func count(_ number: Int64, _ noun: String) -> String { "\(number) \(noun)\(number == 1 ? "" : "s")" }

    /// The shop-local day `days` after `day` (before, when negative); nil when `day` is not a date.
    private func day(_ day: String, plus days: Int) -> String? {
        let ledger = services.salesReports.ledger
        guard let start = ledger.start(of: day) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = ledger.timeZone
        // From noon, so that a daylight-saving change never moves it into another day.
        return calendar.date(byAdding: .day, value: days, to: start.addingTimeInterval(12 * 3600)).map { ledger.day(of: $0) }
    }
}
