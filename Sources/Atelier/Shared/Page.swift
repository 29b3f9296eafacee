import Foundation

/// One page of a keyset-paginated list.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var nextCursor: String?

    public init(items: [Item], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}

/// Validated paging input: `limit` in 1...maxLimit and an opaque cursor.
///
/// The cursor is the base64url encoding of the last key seen, so clients cannot depend on its shape.
public struct PageRequest: Sendable, Equatable {
    public static let defaultLimit = 20
    public static let maxLimit = 100

    public var limit: Int
    public var after: String?

    public init(limit: Int = PageRequest.defaultLimit, after: String? = nil) {
        self.limit = limit
        self.after = after
    }

    public init(limit: Int?, cursor: String?) throws(AtelierError) {
        var problems = ValidationErrors()
        let limit = limit ?? Self.defaultLimit
        if !(1...Self.maxLimit).contains(limit) {
            problems.add("/limit", "out_of_range", "limit must be between 1 and \(Self.maxLimit).")
        }
        var after: String?
        if let cursor {
            if let data = Data(base64URLEncoded: cursor), let key = String(data: data, encoding: .utf8),
                !key.isEmpty, key.count <= 200
            {
                after = key
            } else {
                problems.add("/cursor", "invalid_cursor", "cursor is not one this API returned.")
            }
        }
        try problems.check()
        self.init(limit: limit, after: after)
    }

    public static func cursor(for key: String) -> String { Data(key.utf8).base64URLEncoded() }

    /// Builds the page from `limit + 1` fetched rows: the extra row only says that more exist.
    public func page<Row, Item>(from rows: [Row], key: (Row) -> String, map: (Row) throws -> Item) rethrows -> Page<Item> {
        let visible = rows.prefix(limit)
        let next = rows.count > limit ? visible.last.map { Self.cursor(for: key($0)) } : nil
        return Page(items: try visible.map(map), nextCursor: next)
    }
}
