@testable import Atelier
@testable import AtelierCore
@testable import AtelierAssets
@testable import AtelierCatalog
@testable import AtelierCustomization
@testable import AtelierCommerce
@testable import AtelierDelivery
@testable import AtelierInsights
@testable import AtelierPrivacy
@testable import AtelierAccess
import AtelierTestSupport
import Foundation
import SQLKit
import Testing

/// The reports against totals computed here from the raw order rows, with their own day arithmetic
/// (a `DateFormatter` in the shop's zone), across daylight-saving changes, on SQLite and PostgreSQL.
@Suite struct SalesReportTests {
    static let newYork = TimeZone(identifier: "America/New_York")!

    /// A made-up order: lines of three products in two template versions with variant, add-on and zone
    /// choices; amounts and quantities from the generator.
    static func snapshot(_ rng: inout some RandomNumberGenerator) throws -> CheckoutSnapshot {
        var lines: [[String: Any]] = []
        var subtotal: Int64 = 0
        for index in 0..<Int.random(in: 1...3, using: &rng) {
            let product = ["prd_tee", "prd_mug", "prd_box"].randomElement(using: &rng)!
            let quantity = Int.random(in: 1...4, using: &rng)
            let unit = Int64.random(in: 500...5000, using: &rng)
            subtotal += unit * Int64(quantity)
            var zone: [String: Any] = ["text": ["text": "Happy birthday Ann", "font": ["serif", "script"].randomElement(using: &rng)!]]
            if Bool.random(using: &rng) { zone["colour"] = ["red", "navy"].randomElement(using: &rng)! }
            lines.append([
                "lineId": "lin_\(index)", "productId": product, "productSlug": product, "productName": "Name of \(product)",
                "templateVersion": Int.random(in: 1...2, using: &rng),
                "state": ["selection": ["colour": ["white", "black", "navy"].randomElement(using: &rng)!],
                          "options": ["wrap": Bool.random(using: &rng) ? ["gift"] : []], "zones": ["front": zone]],
                "quantity": quantity, "unit": ["base": unit, "variantAdjustments": 0, "optionSurcharges": 0, "customizationSurcharges": 0],
                "amount": unit * Int64(quantity), "leadTimeDays": 2, "shipDate": "2026-03-10",
            ])
        }
        let shipping = Int64.random(in: 0...1500, using: &rng)
        let tax = (subtotal + shipping) * 8 / 100
        let json: [String: Any] = [
            "currency": "USD", "taxMode": "exclusive", "lines": lines, "subtotal": subtotal, "shippingMethod": "post",
            "shippingName": "Post", "shipping": shipping, "taxLines": [], "tax": tax, "total": subtotal + shipping + tax,
            "expectedShipDate": "2026-03-10", "destination": "US",
        ]
        return try Coding.decoder.decode(CheckoutSnapshot.self, from: JSONSerialization.data(withJSONObject: json))
    }

    /// Stores an order paid at `paidAt` through `OrderStore`, as a payment does.
    static func order(paidAt: Date, snapshot: CheckoutSnapshot, on db: any SQLDatabase) async throws -> Order {
        let checkout = Checkout(id: Identifier.make(prefix: "chk"), cartId: "crt_x", status: .paid, provider: .test, providerRef: nil,
                                clientSecret: nil, approvalURL: nil, currency: "USD", total: snapshot.total, snapshot: snapshot,
                                orderId: nil, expiresAt: paidAt, createdAt: paidAt)
        return try await OrderStore(clock: .fixed(paidAt)).create(from: checkout, sealedCustomer: "sealed", emailHash: "h", accessTokenHash: "t",
                                                                  paymentRef: nil, actor: Actor(.system), on: db)
    }

    /// Orders every 5–11 hours from late February to mid-November 2026 (both DST changes in New York), a
    /// seventh of them cancelled; some of the ledger folded, the rest not.
    static func populate(_ database: any DatabaseClient, count: Int = 260) async throws {
        var rng = SeededGenerator(seed: 42)
        var at = Date(timeIntervalSince1970: 1_772_000_000)  // 2026-02-25
        // Straddling the changes on purpose: 23:30 and 00:30 local around each.
        let pinned = ["2026-03-08T04:30:00Z", "2026-03-08T05:30:00Z", "2026-03-08T07:30:00Z", "2026-11-01T03:30:00Z",
                      "2026-11-01T04:30:00Z", "2026-11-01T05:30:00Z", "2026-11-01T06:30:00Z"].compactMap { ISO8601DateFormatter().date(from: $0) }
        var times = pinned
        for _ in 0..<count {
            at += TimeInterval(Int.random(in: 5 * 3600...11 * 3600, using: &rng))
            times.append(at)
        }
        for (index, paidAt) in times.enumerated() {
            let snapshot = try snapshot(&rng)
            try await database.transaction { db in
                let order = try await order(paidAt: paidAt, snapshot: snapshot, on: db)
                if index % 5 == 1 {
                    // Part of it given back: counted under `refunded` on the day the order was paid.
                    _ = try await Refunds(gateways: PaymentGateways()).refund(
                        orderId: order.id, .init(amount: min(700, order.total), reason: "scratched"), actor: Actor(.system), on: db)
                }
                if index % 7 == 3 {
                    _ = try await OrderStore().transition(id: order.id, .init(to: .cancelled, reason: "test"), actor: Actor(.system),
                                                          refunds: Refunds(gateways: PaymentGateways()), on: db)
                }
            }
            if index == times.count / 2 {
                try await database.transaction { db in _ = try await SalesLedger(timeZone: newYork).fold(limit: 100_000, on: db) }
            }
        }
    }

    /// Totals from the raw rows: what the reports promise, computed without the ledger.
    struct Expected {
        var perDay: [String: SalesLedger.Figures] = [:]
        var products: [String: SalesLedger.Figures] = [:]
        var colours: [String: Int64] = [:]

        init(_ database: any DatabaseClient, zone: TimeZone) async throws {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = zone
            formatter.dateFormat = "yyyy-MM-dd"
            let rows = try await database.withConnection { db in
                try await db.raw("SELECT status, paid_at, subtotal, shipping, tax, total, refunded, snapshot FROM orders").all()
            }
            for row in rows {
                let day = formatter.string(from: try row.decode(column: "paid_at", as: Date.self))
                let cancelled = try row.decode(column: "status", as: String.self) == "cancelled"
                let snapshot = try Coding.decoder.decode(CheckoutSnapshot.self, from: Data(try row.decode(column: "snapshot", as: String.self).utf8))
                var f = perDay[day] ?? .init()
                // Refunds count on the day the order was paid, cancelled or not.
                f.refunded += try row.decode(column: "refunded", as: Int64.self)
                if cancelled {
                    f.cancelled += 1
                } else {
                    f.orders += 1
                    f.units += Int64(snapshot.lines.map(\.quantity).reduce(0, +))
                    f.subtotal += try row.decode(column: "subtotal", as: Int64.self)
                    f.shipping += try row.decode(column: "shipping", as: Int64.self)
                    f.tax += try row.decode(column: "tax", as: Int64.self)
                    f.total += try row.decode(column: "total", as: Int64.self)
                    for line in snapshot.lines {
                        products["\(day) \(line.productId) \(line.templateVersion ?? 0)", default: .init()].units += Int64(line.quantity)
                        products["\(day) \(line.productId) \(line.templateVersion ?? 0)", default: .init()].subtotal += line.amount
                        if let colour = line.state.zones["front"]?.colour { colours["\(day) \(colour)", default: 0] += Int64(line.quantity) }
                    }
                }
                perDay[day] = f
            }
        }

        func total(from: String, to: String) -> SalesLedger.Figures {
            perDay.filter { $0.key >= from && $0.key <= to }.values.reduce(.init(), +)
        }
    }

    @Test func totalsByDayWeekMonthProductAndChoiceMatchTheOrderRowsAcrossDST() async throws {
        try await TestDatabase.with { database in
            try await Self.populate(database)
            let expected = try await Expected(database, zone: Self.newYork)
            let reports = SalesReports(ledger: SalesLedger(timeZone: Self.newYork), currency: "USD")

            // The pinned orders: 23:30 EST on 7 March, 00:30 and 03:30 EDT on 8 March; 23:30 and 00:30 EDT around
            // midnight on 31 October, then 01:30 twice (EDT, EST) on 1 November.
            let march = try await database.withConnection { db in try await reports.sales(try reports.range(from: "2026-03-07", to: "2026-03-08"), interval: .day, on: db) }
            #expect(march.trend.map(\.figures) == [expected.total(from: "2026-03-07", to: "2026-03-07"), expected.total(from: "2026-03-08", to: "2026-03-08")])
            #expect(march.trend[1].figures.orders + march.trend[1].figures.cancelled >= 2)

            for (from, to) in [("2026-02-01", "2026-12-31"), ("2026-03-01", "2026-03-31"), ("2026-10-25", "2026-11-08"), ("2026-06-15", "2026-06-15")] {
                for interval in SalesReports.Interval.allCases {
                    let range = try reports.range(from: from, to: to)
                    let report = try await database.withConnection { db in try await reports.sales(range, interval: interval, on: db) }
                    #expect(report.summary == expected.total(from: from, to: to), "\(from)…\(to)")
                    // Buckets cover the range without gap or overlap, and each adds up.
                    #expect(report.trend.first?.from == from && report.trend.last?.to == to)
                    for bucket in report.trend { #expect(bucket.figures == expected.total(from: bucket.from, to: bucket.to), "\(bucket.from)") }
                    #expect(report.trend.map(\.figures).reduce(.init(), +) == report.summary)
                    // Products and template versions.
                    for line in report.templates {
                        let key = expected.products.filter {
                            let parts = $0.key.split(separator: " ")
                            return String(parts[0]) >= from && String(parts[0]) <= to && parts[1] == line.productId && Int(parts[2]) == line.templateVersion
                        }.values.reduce(SalesLedger.Figures(), +)
                        #expect(line.figures.units == key.units && line.figures.subtotal == key.subtotal, "\(line.productId) v\(line.templateVersion ?? 0)")
                    }
                    #expect(report.products.map(\.figures.subtotal).reduce(0, +) == report.summary.subtotal)
                }
                // Zone colours chosen.
                let choices = try await database.withConnection { db in try await reports.options(try reports.range(from: from, to: to), limit: 10, on: db) }
                for colour in ["red", "navy"] {
                    let units = expected.colours.filter { $0.key.hasSuffix(" \(colour)") && String($0.key.prefix(10)) >= from && String($0.key.prefix(10)) <= to }
                        .values.reduce(0, +)
                    #expect((choices.first { $0.kind == "colour" && $0.attribute == "front" && $0.value == colour }?.units ?? 0) == units)
                }
            }
            // Weeks are Monday to Sunday; months are calendar months, cut to the range.
            let weeks = reports.buckets(try reports.range(from: "2026-10-28", to: "2026-11-10"), interval: .week)
            #expect(weeks.map { [$0.from, $0.to] } == [["2026-10-28", "2026-11-01"], ["2026-11-02", "2026-11-08"], ["2026-11-09", "2026-11-10"]])
            let months = reports.buckets(try reports.range(from: "2026-01-31", to: "2026-03-01"), interval: .month)
            #expect(months.map { [$0.from, $0.to] } == [["2026-01-31", "2026-01-31"], ["2026-02-01", "2026-02-28"], ["2026-03-01", "2026-03-01"]])
            #expect(reports.buckets(try reports.range(from: "2026-03-01", to: "2026-03-31"), interval: .day).count == 31)
        }
    }

    @Test func foldingAndRebuildingChangeNoTotalAndAnotherZoneMovesTheDays() async throws {
        try await TestDatabase.with { database in
            try await Self.populate(database, count: 120)
            let range = SalesReports.Range(from: "2026-02-01", to: "2026-12-31")
            let reports = SalesReports(ledger: SalesLedger(timeZone: Self.newYork), currency: "USD")
            let before = try await database.withConnection { db in try await reports.sales(range, interval: .month, on: db) }
            // Fold everything: the same answer from the aggregate alone.
            try await database.transaction { db in _ = try await reports.ledger.fold(limit: 100_000, on: db) }
            let pending = try await database.withConnection { db in try await db.raw("SELECT COUNT(*) AS n FROM report_entries").first(decodingColumn: "n", as: Int.self) }
            #expect(pending == 0)
            #expect(try await database.withConnection { db in try await reports.sales(range, interval: .month, on: db) } == before)
            // A rebuild from the orders gives the same aggregate.
            try await reports.ledger.rebuild(database: database)
            #expect(try await database.withConnection { db in try await reports.sales(range, interval: .month, on: db) } == before)

            // The shop moves to Auckland: prepare() rebuilds in the new zone, and the days follow it.
            let auckland = TimeZone(identifier: "Pacific/Auckland")!
            #expect(try await SalesLedger(timeZone: auckland).prepare(database: database))
            #expect(try await SalesLedger(timeZone: auckland).prepare(database: database) == false)
            let there = SalesReports(ledger: SalesLedger(timeZone: auckland), currency: "USD")
            let expected = try await Expected(database, zone: auckland)
            let report = try await database.withConnection { db in try await there.sales(range, interval: .day, on: db) }
            for bucket in report.trend { #expect(bucket.figures == expected.total(from: bucket.from, to: bucket.to), "\(bucket.from)") }
        }
    }

    @Test func concurrentPaymentsCancellationsAndFoldsCountEveryOrderOnce() async throws {
        try await TestDatabase.with { database in
            let ledger = SalesLedger(timeZone: Self.newYork)
            let base = Date(timeIntervalSince1970: 1_780_000_000)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        var rng = SeededGenerator(seed: UInt64(worker + 1))
                        for index in 0..<15 {
                            let snapshot = try Self.snapshot(&rng)
                            try await database.transaction { db in
                                let order = try await Self.order(paidAt: base.addingTimeInterval(Double(worker * 15 + index) * 3600), snapshot: snapshot, on: db)
                                if index % 5 == 0 {
                                    _ = try await OrderStore().transition(id: order.id, .init(to: .cancelled, reason: "test"), actor: Actor(.system),
                                                                          refunds: Refunds(gateways: PaymentGateways()), on: db)
                                }
                            }
                        }
                    }
                }
                // Folders racing the payments and each other.
                for _ in 0..<3 {
                    group.addTask {
                        for _ in 0..<20 {
                            _ = try await database.transaction { db in try await ledger.fold(limit: 7, on: db) }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let expected = try await Expected(database, zone: Self.newYork)
            let reports = SalesReports(ledger: ledger, currency: "USD")
            let range = try reports.range(from: "2026-01-01", to: "2026-12-31")
            let before = try await database.withConnection { db in try await reports.sales(range, interval: .week, on: db) }
            #expect(before.summary == expected.total(from: "2026-01-01", to: "2026-12-31"))
            #expect(before.summary.orders + before.summary.cancelled == 120)
            try await database.transaction { db in _ = try await ledger.fold(limit: 100_000, on: db) }
            #expect(try await database.withConnection { db in try await reports.sales(range, interval: .week, on: db) } == before)
        }
    }

    @Test func rangesAreCheckedAndCSVIsSafeForSpreadsheets() throws {
        let reports = SalesReports(ledger: SalesLedger(timeZone: Self.newYork), currency: "USD")
        for (from, to) in [("2026-02-30", "2026-03-01"), ("2026-3-1", "2026-03-02"), ("2026-03-02", "2026-03-01"), ("2000-01-01", "2026-01-01"), ("x", "y")] {
            #expect(throws: AtelierError.self) { try reports.range(from: from, to: to) }
        }
        #expect(CSVField.escape("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"")
        #expect(CSVField.escape("-42") == "-42")
        #expect(CSVField.escape("Mug, large") == "\"Mug, large\"")
    }
}

/// A small deterministic generator (SplitMix64), so a failure can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E9B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
