import SQLKit

/// Rows decoded into camelCase properties from snake_case columns (`lastUsedAt` from `last_used_at`).
///
/// SQLKit's own `.convertFromSnakeCase` converts each key with Unicode character properties on every
/// column of every row read, which showed as the hottest function of a listing endpoint; this converter
/// does the same arithmetic on ASCII bytes (the only characters our property names use), with the same
/// answers: words split before an uppercase letter, an uppercase run is a word of its own, and each word's
/// first letter is lowered (`previewURLPath` → `preview_uRL_path`, as SQLKit writes it).
package enum SnakeCaseColumns {
    package static let decoder = SQLRowDecoder(keyDecodingStrategy: .custom { path in
        SnakeCaseKey(stringValue: column(for: path.last?.stringValue ?? ""))
    })

    /// The snake_case column for a camelCase property name.
    package static func column(for property: String) -> String {
        let bytes = Array(property.utf8)
        guard !bytes.isEmpty, bytes.contains(where: isUpper) else { return property }
        func isUpper(_ byte: UInt8) -> Bool { byte >= 0x41 && byte <= 0x5A }
        func isLower(_ byte: UInt8) -> Bool { byte >= 0x61 && byte <= 0x7A }
        var words: [Range<Int>] = []
        var wordStart = 0
        var search = 1
        while let upper = bytes[search...].firstIndex(where: isUpper) {
            words.append(wordStart..<upper)
            wordStart = upper
            guard let lower = bytes[upper...].firstIndex(where: isLower) else { break }
            search = lower
            if lower != upper + 1 {
                words.append(upper..<(lower - 1))
                wordStart = lower - 1
            }
        }
        words.append(wordStart..<bytes.count)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + words.count)
        for (index, word) in words.enumerated() {
            if index > 0 { out.append(0x5F) }
            for position in word {
                let byte = bytes[position]
                out.append(position == word.lowerBound && isUpper(byte) ? byte + 0x20 : byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// A coding key that is just its name.
package struct SnakeCaseKey: CodingKey {
    package var stringValue: String
    package var intValue: Int? { nil }
    package init(stringValue: String) { self.stringValue = stringValue }
    package init?(intValue: Int) { nil }
}
