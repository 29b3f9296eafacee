import AtelierCore
import Foundation
import SQLKit

/// An order as a list shows it: read from its own columns, without its snapshot (the lines, the customer), which a
/// list never shows and which would be the most of the work of reading it.
public struct OrderSummary: Sendable, Equatable {
    public var id: String
    public var number: String
    public var status: OrderStatus
    public var currency: String
    public var total: Int64
    public var createdAt: Date
    public var expectedShipDate: String

    /// The columns `init(row:)` reads, of the orders table aliased `o`.
    static let columns = ["id", "number", "status", "currency", "total", "created_at", "expected_ship_date"]

    init(row: any SQLRow) throws {
        id = try row.decode(column: "id", as: String.self)
        number = try row.decode(column: "number", as: String.self)
        let status = try row.decode(column: "status", as: String.self)
        guard let known = OrderStatus(rawValue: status) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "unknown order status \(status)"))
        }
        self.status = known
        currency = try row.decode(column: "currency", as: String.self)
        total = try row.decode(column: "total", as: Int64.self)
        createdAt = try row.decode(column: "created_at", as: Date.self)
        expectedShipDate = try row.decode(column: "expected_ship_date", as: String.self)
    }
}
