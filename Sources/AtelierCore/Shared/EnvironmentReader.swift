import Foundation

/// Reads environment variables for the configuration loader, collecting every problem instead of stopping at
/// the first, so an operator fixes a deployment in one go. Each module's settings struct reads its own
/// variables through one reader (`…Settings.read(_:)`), and `AtelierConfiguration.load` throws what it collected.
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

    /// A whole number of seconds, as `integer` reads it (same range, same message).
    package mutating func seconds(_ name: String, default fallback: TimeInterval, in range: ClosedRange<Int>) -> TimeInterval {
        TimeInterval(integer(name, default: Int(fallback), in: range))
    }

    /// A whole number of `unit`s (`.seconds(1)`, `.milliseconds(1)`), as `integer` reads it (same range, same message).
    package mutating func duration(_ name: String, default fallback: Duration, unit: Duration, in range: ClosedRange<Int>) -> Duration {
        unit * integer(name, default: Int(fallback / unit), in: range)
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

    /// An absolute http(s) URL with a host.
    package static func isHTTPURL(_ text: String) -> Bool {
        guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else { return false }
        return true
    }
}
