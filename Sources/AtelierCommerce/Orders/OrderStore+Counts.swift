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
}
