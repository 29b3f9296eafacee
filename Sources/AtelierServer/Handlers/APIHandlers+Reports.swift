import Atelier
import AtelierAPI
import Foundation
import OpenAPIRuntime

extension APIHandlers {
    func salesReport(_ input: Operations.SalesReport.Input) async throws -> Operations.SalesReport.Output {
        let reports = services.salesReports
        let range = try reports.range(from: input.query.from, to: input.query.to)
        let interval = SalesReports.Interval(rawValue: input.query.interval?.rawValue ?? "day") ?? .day
        let report = try await database.withConnection { db in try await reports.sales(range, interval: interval, on: db) }
        if Self.prefersCSV(input.headers.accept.map { ($0.contentType.rawValue, $0.quality.doubleValue) }) {
            return .ok(.init(body: .csv(HTTPBody(SalesReports.csv(report, currency: reports.currency)))))
        }
        func product(_ line: SalesReports.ProductLine) -> Components.Schemas.ReportProduct {
            .init(productId: line.productId, name: line.name, templateVersion: line.templateVersion, figures: Self.figures(line.figures))
        }
        return .ok(.init(body: .json(.init(
            from: range.from, to: range.to, timeZone: reports.ledger.timeZone.identifier, currency: reports.currency,
            interval: .init(rawValue: interval.rawValue)!, summary: Self.figures(report.summary),
            products: report.products.map(product), templates: report.templates.map(product),
            trend: report.trend.map { .init(from: $0.from, to: $0.to, figures: Self.figures($0.figures)) }))))
    }

    func optionsReport(_ input: Operations.OptionsReport.Input) async throws -> Operations.OptionsReport.Output {
        let reports = services.salesReports
        let range = try reports.range(from: input.query.from, to: input.query.to)
        let limit = input.query.limit ?? 10
        guard (1...100).contains(limit) else {
            throw AtelierError.validation([.init(pointer: "/limit", code: .outOfRange, message: "must be from 1 to 100.")])
        }
        let choices = try await database.withConnection { db in try await reports.options(range, limit: limit, on: db) }
        if Self.prefersCSV(input.headers.accept.map { ($0.contentType.rawValue, $0.quality.doubleValue) }) {
            return .ok(.init(body: .csv(HTTPBody(SalesReports.csv(choices, range: range)))))
        }
        return .ok(.init(body: .json(.init(
            from: range.from, to: range.to, timeZone: reports.ledger.timeZone.identifier,
            choices: choices.map {
                .init(kind: .init(rawValue: $0.kind) ?? .variant, attribute: $0.attribute, value: $0.value, orders: $0.orders, units: $0.units)
            }))))
    }

    /// CSV when the client ranks `text/csv` above JSON (a plain `Accept: text/csv` does).
    static func prefersCSV(_ accepted: [(type: String, quality: Double)]) -> Bool {
        let csv = accepted.filter { $0.type == "text/csv" }.map(\.quality).max() ?? 0
        let json = accepted.filter { $0.type == "application/json" || $0.type == "*/*" }.map(\.quality).max() ?? 0
        return csv > 0 && csv > json
    }

    static func figures(_ f: SalesLedger.Figures) -> Components.Schemas.ReportFigures {
        .init(orders: f.orders, units: f.units, sales: f.subtotal, shipping: f.shipping, tax: f.tax, total: f.total, revenue: f.revenue,
              averageOrderValue: f.orders > 0 ? (f.revenue * 2 + f.orders) / (f.orders * 2) : 0, cancelledOrders: f.cancelled,
              refunded: f.refunded)
    }
}
