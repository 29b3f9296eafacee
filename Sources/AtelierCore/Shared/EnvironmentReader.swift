import Foundation

/// Reads environment variables for the configuration loader, collecting every problem instead of stopping at
/// the first, so an operator fixes a deployment in one go.
package struct EnvironmentReader {
    let environment: [String: String]
    package var problems: [String] = []

    package init(environment: [String: String], problems: [String] = []) {
        self.environment = environment
        self.problems = problems
    }

    package init(_ environment: [String: String]) { self.environment = environment }

    /// The trimmed value; nil when unset or blank.
    package func value(_ name: String) -> String? {
        guard let raw = environment[name]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
        return raw
    }

    package mutating func integer(_ name: String, default fallback: Int, in range: ClosedRange<Int>) -> Int {
        guard let raw = value(name) else { return fallback }
        guard let number = Int(raw), range.contains(number) else {
            problems.append("\(name)=\(raw): must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            return fallback
        }
        return number
    }

    package mutating func boolean(_ name: String, default fallback: Bool) -> Bool {
        guard let raw = value(name) else { return fallback }
        switch raw.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default:
            problems.append("\(name)=\(raw): must be true or false")
            return fallback
        }
    }
}
