import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Foundation
import SQLKit

/// Rebuilding the daily aggregate from the orders, when the reports first arrive or the shop's time zone changes.
extension SalesLedger {
    /// Makes sure the aggregate is in this time zone: on the first start after the reports arrived, or
    /// after the shop's time zone changed, rebuilds it from the orders. Answers whether it rebuilt.
    @discardableResult
    public func prepare(database: any DatabaseClient) async throws -> Bool {
        let zone = timeZone.identifier
        let current = try await database.withConnection { db in
            try await db.raw("SELECT value FROM report_state WHERE name = 'time_zone'").first(decodingColumn: "value", as: String.self)
        }
        guard current != zone else { return false }
        try await rebuild(database: database)
        return true
    }

    /// Recomputes the whole aggregate from the orders, in one transaction. On PostgreSQL the ledger is
    /// locked first: a payment committing meanwhile waits, and its entry lands after the rebuild, which did
    /// not see its order — counted once either way.
    public func rebuild(database: any DatabaseClient, pageSize: Int = 2000) async throws {
        let ledger = self
        try await database.transaction { db in
            if db.dialect.name == "postgresql" { try await db.raw("LOCK TABLE report_entries IN EXCLUSIVE MODE").run() }
            try await db.raw("DELETE FROM report_entries").run()
            try await db.raw("DELETE FROM report_daily").run()
            var sums: [Key: (label: String, figures: Figures)] = [:]
            var after = ""
            while true {
                let rows = try await db.raw("""
                    SELECT id, status, refunded, paid_at, snapshot FROM orders
                    WHERE id > \(bind: after) ORDER BY id LIMIT \(bind: pageSize)
                    """).all()
                for row in rows {
                    // An order this version cannot read (written by hand, say) must not keep the shop from starting.
                    guard let snapshot = try? Coding.decoder.decode(CheckoutSnapshot.self, from: Data(try row.decode(column: "snapshot", as: String.self).utf8))
                    else { continue }
                    let day = ledger.day(of: try row.decode(column: "paid_at", as: Date.self))
                    var entries = Self.entries(for: snapshot, cancelled: false)
                    let refunded = try row.decode(column: "refunded", as: Int64.self)
                    if try row.decode(column: "status", as: String.self) == OrderStatus.cancelled.rawValue {
                        entries += Self.entries(for: snapshot, cancelled: true, refunded: refunded)
                    } else if refunded != 0 {
                        entries.append(Self.refundEntry(refunded))
                    }
                    for entry in entries {
                        let key = Key(dimension: entry.dimension, day: day, currency: snapshot.currency, item: entry.item, detail: entry.detail)
                        var sum = sums[key] ?? (entry.label, Figures())
                        sum.figures += entry.figures
                        sums[key] = sum
                    }
                }
                guard rows.count == pageSize, let last = rows.last else { break }
                after = try last.decode(column: "id", as: String.self)
            }
            try await ledger.add(sums, on: db)
            try await db.raw("DELETE FROM report_state WHERE name = 'time_zone'").run()
            try await db.raw("INSERT INTO report_state (name, value) VALUES ('time_zone', \(bind: ledger.timeZone.identifier))").run()
        }
    }
}
