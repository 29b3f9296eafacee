import Foundation

/// How many requests one client may make in a period: `requests` at once, refilled evenly over `period`.
public struct RateLimit: Sendable, Equatable {
    public var requests: Int
    public var period: TimeInterval

    public init(requests: Int, period: TimeInterval) {
        self.requests = requests
        self.period = period
    }

    /// `COUNT/SECONDS` (`600/60`), or `off`; nil for anything else.
    public static func parse(_ text: String) -> RateLimit?? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        if ["off", "0", "none"].contains(trimmed) { return .some(nil) }
        let parts = trimmed.split(separator: "/")
        guard parts.count == 2, let count = Int(parts[0]), let seconds = Int(parts[1]),
              (1...1_000_000).contains(count), (1...86_400).contains(seconds)
        else { return nil }
        return .some(RateLimit(requests: count, period: TimeInterval(seconds)))
    }
}
