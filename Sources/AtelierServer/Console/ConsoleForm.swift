import Foundation
import Hummingbird
import NIOCore

/// A console form's fields, read from an `application/x-www-form-urlencoded` body (or a query string).
struct ConsoleForm {
    /// A console form is a few short fields; anything longer is not one of ours.
    static let maxBytes = 16 * 1024

    private(set) var fields: [String: String] = [:]

    init(encoded: Substring) {
        for pair in encoded.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]), fields[name] == nil else { continue }
            fields[name] = parts.count > 1 ? Self.decode(parts[1]) ?? "" : ""
        }
    }

    /// The form posted in `request`; a body over `maxBytes` reads as an empty form (which no check accepts).
    static func read(_ request: Request) async -> ConsoleForm {
        var request = request
        guard let body = try? await request.collectBody(upTo: maxBytes) else { return ConsoleForm(encoded: "") }
        return ConsoleForm(encoded: Substring(String(buffer: body)))
    }

    subscript(name: String) -> String? { fields[name] }

    /// A field's value trimmed, nil when absent or blank.
    func text(_ name: String) -> String? {
        guard let value = fields[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    private static func decode(_ part: Substring) -> String? {
        String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
