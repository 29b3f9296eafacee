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

extension String {
    /// Whether the text holds a NUL, which PostgreSQL text cannot store or compare: such input names
    /// nothing that exists, so lookups answer "not found" without asking the database.
    public var containsNUL: Bool { utf8.contains(0) }
}
