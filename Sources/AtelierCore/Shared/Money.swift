/// An amount in minor units (cents) of one currency. No floating point anywhere near money.
public struct Money: Sendable, Hashable, Codable {
    public var amount: Int64
    public var currency: String

    public init(_ amount: Int64, _ currency: String) {
        self.amount = amount
        self.currency = currency
    }

    /// The largest amount any single price in the catalog may have: 1,000,000.00.
    public static let maxCatalogAmount: Int64 = 100_000_000

    public static func isCurrencyCode(_ code: String) -> Bool {
        code.utf8.count == 3 && code.utf8.allSatisfy { $0 >= 0x41 && $0 <= 0x5A }
    }
}
