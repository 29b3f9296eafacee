import AtelierCore
import Foundation

/// Field checks shared by every catalog validator.
package enum FieldRules {
    static func isSlug(_ value: String) -> Bool {
        guard (1...CatalogLimits.slugMaxLength).contains(value.utf8.count), value.first != "-", value.last != "-" else { return false }
        return !value.contains("--") && value.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
    }

    /// Codes: lowercase letters, digits and underscores, starting with a letter or digit.
    static func isCode(_ value: String) -> Bool {
        guard (1...CatalogLimits.codeMaxLength).contains(value.utf8.count), value.first != "_" else { return false }
        return value.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
    }

    package static func hasControlCharacters(_ value: String, allowNewlines: Bool = false) -> Bool {
        value.unicodeScalars.contains { scalar in
            if allowNewlines, scalar == "\n" || scalar == "\r" || scalar == "\t" { return false }
            return scalar.properties.generalCategory == .control
        }
    }

    static func checkName(_ value: String, at pointer: String, max: Int = CatalogLimits.nameMaxLength, into problems: inout ValidationErrors) {
        if value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            problems.add(pointer, .required, "must not be empty.")
        } else if value.unicodeScalars.count > max {
            problems.add(pointer, .tooLong, "must be at most \(max) characters.")
        } else if hasControlCharacters(value) {
            problems.add(pointer, .invalidCharacters, "must not contain control characters.")
        }
    }

    static func checkCode(_ value: String, at pointer: String, into problems: inout ValidationErrors) {
        if !isCode(value) {
            problems.add(pointer, .invalidCode, "must be 1–\(CatalogLimits.codeMaxLength) characters of a–z, 0–9 and _, not starting with _.")
        }
    }

    static func checkURL(_ value: String, at pointer: String, into problems: inout ValidationErrors) {
        let lower = value.lowercased()
        let absolute = (lower.hasPrefix("https://") || lower.hasPrefix("http://")) && value.count > 8
        let local = value.hasPrefix("/") && !value.hasPrefix("//")
        if value.count > CatalogLimits.urlMaxLength || !(absolute || local) || value.contains(where: { $0.isWhitespace })
            || hasControlCharacters(value)
        {
            problems.add(pointer, .invalidUrl, "must be an http(s) URL or a path on this server, without spaces.")
        }
    }

    static func checkAmount(_ value: Int64, at pointer: String, allowNegative: Bool = false, into problems: inout ValidationErrors) {
        let lower = allowNegative ? -Money.maxCatalogAmount : 0
        if !(lower...Money.maxCatalogAmount).contains(value) {
            problems.add(pointer, .outOfRange, "must be between \(lower) and \(Money.maxCatalogAmount) minor units.")
        }
    }

    static func checkDays(_ value: Int, at pointer: String, into problems: inout ValidationErrors) {
        if !(0...CatalogLimits.maxLeadTimeDays).contains(value) {
            problems.add(pointer, .outOfRange, "must be between 0 and \(CatalogLimits.maxLeadTimeDays) days.")
        }
    }

    static func checkUnique(_ codes: [String], at pointer: (Int) -> String, into problems: inout ValidationErrors) {
        var seen = Set<String>()
        for (index, code) in codes.enumerated() where !seen.insert(code).inserted {
            problems.add(pointer(index), .duplicateCode, "'\(code)' is used twice.")
        }
    }
}
