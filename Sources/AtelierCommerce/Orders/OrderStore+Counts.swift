import AtelierCore
import Foundation
import SQLKit

extension OrderStore {
    /// How many orders are in each status (statuses without orders are left out).
    public func countsByStatus(on db: any SQLDatabase) async throws -> [OrderStatus: Int] {
        struct Row: Decodable { var status: String; var n: Int }
        let rows = try await db.raw("SELECT status, COUNT(*) AS n FROM orders GROUP BY status").all(decoding: Row.self)
        var counts: [OrderStatus: Int] = [:]
        for row in rows { if let status = OrderStatus(rawValue: row.status) { counts[status] = row.n } }
        return counts
    }

    /// Orders placed since `start` that are not cancelled, and what they took (totals less refunds), in minor units.
    public func placed(since start: Date, on db: any SQLDatabase) async throws -> (orders: Int, revenue: Int64) {
        struct Row: Decodable { var n: Int; var revenue: Int64? }
        let row = try await db.raw("""
            SELECT COUNT(*) AS n, CAST(SUM(total - refunded) AS BIGINT) AS revenue FROM orders
            WHERE created_at >= \(bind: start) AND status <> 'cancelled'
            """).first(decoding: Row.self)
        return (row?.n ?? 0, row?.revenue ?? 0)
    }

    /// Orders still to ship that are expected to ship on the shop-local `day`, and those expected before it (late).
    public func due(on day: String, on db: any SQLDatabase) async throws -> (today: Int, overdue: Int) {
        struct Row: Decodable { var today: Int?; var overdue: Int? }
        let open = OrderStatus.toShip.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        let row = try await db.raw("""
            SELECT CAST(SUM(CASE WHEN expected_ship_date = \(bind: day) THEN 1 ELSE 0 END) AS BIGINT) AS today,
                   CAST(SUM(CASE WHEN expected_ship_date < \(bind: day) THEN 1 ELSE 0 END) AS BIGINT) AS overdue
            FROM orders WHERE status IN (\(unsafeRaw: open))
            """).first(decoding: Row.self)
        return (row?.today ?? 0, row?.overdue ?? 0)
    }
}
