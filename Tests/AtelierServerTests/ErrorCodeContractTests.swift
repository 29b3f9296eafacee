import Atelier
import AtelierServer
import Foundation
import Testing

/// The error codes the OpenAPI contract documents are declared as `AtelierError.Code` constants, so every one of them
/// is thrown by name and none can be misspelt at a throwing site.
@Suite struct ErrorCodeContractTests {
    /// Every declared code: the domain modules' (`AtelierError.Code.all`) and the HTTP edge's.
    static let declared = AtelierError.Code.all + AtelierError.Code.serverCodes

    @Test func everyDocumentedCodeIsDeclared() throws {
        let documented = try Self.documentedCodes()
        // The extraction below reads prose; make sure it still finds codes the contract is known to document.
        for known in ["total_changed", "cart_empty", "validation_failed", "missing_signature", "malformed_event",
                      "configured_subscription", "sold_out", "template_changed", "zone_outside_view"] {
            #expect(documented.contains(known), "the contract no longer yields `\(known)`: update the extraction")
        }
        let missing = documented.subtracting(Self.declared.map(\.rawValue)).sorted()
        #expect(missing.isEmpty, "documented in openapi.yaml but declared by no module: \(missing.joined(separator: ", "))")
    }

    @Test func declaredCodesAreUniqueSnakeCase() {
        let raw = Self.declared.map(\.rawValue)
        let repeated = Dictionary(grouping: raw, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
        #expect(repeated.isEmpty, "declared more than once: \(repeated.joined(separator: ", "))")
        let malformed = raw.filter { $0.range(of: #"^[a-z][a-z0-9]*(_[a-z0-9]+)*$"#, options: .regularExpression) == nil }
        #expect(malformed.isEmpty, "not snake_case: \(malformed.joined(separator: ", "))")
    }

    /// The codes `Sources/AtelierAPI/openapi.yaml` documents. The contract has no list of codes: they are named in
    /// backticks in descriptions, next to other backticked words (field names, statuses, outcomes), so only the
    /// forms that reliably name an error code are read:
    /// 1. a code after an HTTP status, with alternatives chained on: "409 `total_changed`",
    ///    "(400 `invalid_signature` or `malformed_event` otherwise)";
    /// 2. a list introduced as codes: "each with … a code: `unknown_dimension`, `unknown_value`, …", and the Problem
    ///    schema's "Stable snake_case code, e.g. `validation_failed`, …";
    /// 3. the description of a 4xx response: "'409': description: … (`configured_subscription`).";
    /// 4. the `CartFlag` schema's description, which lists the flag codes;
    /// 5. the template checks of publishTemplate: "checked as a whole first (`min_exceeds_max`, …)".
    /// A code mentioned only in running prose any other way is not seen.
    static func documentedCodes() throws -> Set<String> {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/AtelierAPI/openapi.yaml")
        let yaml = try String(contentsOf: url, encoding: .utf8)
        let code = "`([a-z][a-z0-9_]*)`"
        var codes = Set<String>()
        for match in try matches(#"\b[45]\d\d\s+"# + code + #"((?:\s*(?:,|or|and)\s*"# + code + #")*)"#, in: yaml) {
            codes.insert(match[1])
            codes.formUnion(try tokens(in: match[2]))
        }
        for match in try matches(#"\bcodes?(?::|,? e\.g\.)\s+((?:"# + code + #"(?:,\s*|\s*\)|\.|\s))+)"#, in: yaml) {
            codes.formUnion(try tokens(in: match[1]))
        }
        for match in try matches(#"'[45]\d\d':\s*\n\s*description:([^\n]*)"#, in: yaml) {
            codes.formUnion(try tokens(in: match[1]))
        }
        for match in try matches(#"\n    CartFlag:\n[\s\S]*?\n      required:"#, in: yaml) {
            codes.formUnion(try tokens(in: match[0]))
        }
        for match in try matches(#"checked as a whole first \(((?:"# + code + #",?\s*)+)"#, in: yaml) {
            codes.formUnion(try tokens(in: match[1]))
        }
        return codes
    }

    /// The backticked snake_case words of a text.
    static func tokens(in text: String) throws -> [String] {
        try matches("`([a-z][a-z0-9_]*)`", in: text).map { $0[1] }
    }

    /// Each match of `pattern` in `text`, as its groups (0 is the whole match; "" for a group that took no part).
    static func matches(_ pattern: String, in text: String) throws -> [[String]] {
        let regex = try NSRegularExpression(pattern: pattern)
        let string = text as NSString
        return regex.matches(in: text, range: NSRange(location: 0, length: string.length)).map { match in
            (0..<match.numberOfRanges).map { index in
                let range = match.range(at: index)
                return range.location == NSNotFound ? "" : string.substring(with: range)
            }
        }
    }
}
