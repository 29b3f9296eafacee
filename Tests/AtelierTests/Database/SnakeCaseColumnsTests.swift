@testable import AtelierCore
import SQLKit
import Testing

/// The fast column-name converter answers exactly as SQLKit's own snake_case strategy, which the rows were
/// written with (`SQLQueryEncoder(keyEncodingStrategy: .convertToSnakeCase)` on inserts).
@Suite struct SnakeCaseColumnsTests {
    /// Encodes one value under each of the given property names.
    struct Properties: Encodable {
        var names: [String]
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: SnakeCaseKey.self)
            for name in names { try container.encode(1, forKey: SnakeCaseKey(stringValue: name)) }
        }
    }

    static let names = [
        "id", "lastUsedAt", "secretHash", "previewURLPath", "URL", "X", "x", "aB", "ABc", "sku2Code", "line2Total",
        "catalogRevision", "expectedShipDate", "maxAttempts", "IDs", "userID", "a1B2c3", "httpStatusCode", "pngBytes",
    ]

    @Test func answersAsSQLKitsOwnConversion() throws {
        let encoder = SQLQueryEncoder(keyEncodingStrategy: .convertToSnakeCase)
        for name in Self.names {
            let encoded = try encoder.encode(Properties(names: [name]))
            #expect(encoded.count == 1)
            #expect(SnakeCaseColumns.column(for: name) == encoded.first?.0, "\(name)")
        }
        #expect(SnakeCaseColumns.column(for: "lastUsedAt") == "last_used_at")
        #expect(SnakeCaseColumns.column(for: "") == "")
    }
}
