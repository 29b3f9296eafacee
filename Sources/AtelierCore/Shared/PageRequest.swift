import Foundation

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
            problems.add("/limit", .outOfRange, "limit must be between 1 and \(Self.maxLimit).")
        }
        var after: String?
        if let cursor {
            if let key = Self.decodeCursor(cursor) {
                after = key
            } else {
                problems.add("/cursor", .invalidCursor, "cursor is not one this API returned.")
            }
        }
        try problems.check()
        self.init(limit: limit, after: after)
    }

    public static func cursor(for key: String) -> String { Data(key.utf8).base64URLEncoded() }

    static let base64URLValues: [UInt8: UInt8] = {
        var table: [UInt8: UInt8] = [:]
        for (index, character) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8.enumerated() {
            table[character] = UInt8(index)
        }
        return table
    }()

    /// Decodes any unpadded base64url text of a valid length (the contract's pattern for cursors),
    /// so that every cursor the contract allows is answered with a page: a forged one only moves
    /// where the page starts. Bytes that are not UTF-8 are replaced, never rejected.
    static func decodeCursor(_ cursor: String) -> String? {
        let length = cursor.utf8.count
        guard (2...300).contains(length), length % 4 != 1 else { return nil }
        var bytes: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for character in cursor.utf8 {
            guard let value = base64URLValues[character] else { return nil }
            buffer = (buffer << 6) | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                bytes.append(UInt8((buffer >> UInt32(bits)) & 0xFF))
            }
        }
        // PostgreSQL text cannot hold NUL; a forged cursor only moves where the page starts.
        return String(decoding: bytes.filter { $0 != 0 }, as: UTF8.self)
    }

    /// Builds the page from `limit + 1` fetched rows: the extra row only says that more exist.
    public func page<Row, Item>(from rows: [Row], key: (Row) -> String, map: (Row) throws -> Item) rethrows -> Page<Item> {
        let visible = rows.prefix(limit)
        let next = rows.count > limit ? visible.last.map { Self.cursor(for: key($0)) } : nil
        return Page(items: try visible.map(map), nextCursor: next)
    }
}
