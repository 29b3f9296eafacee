import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import Foundation
import SQLKit

/// When to try again: the schedule of waits after each failed attempt (with ±10 % jitter so receivers
/// that come back are not hit by every sender at once), `Retry-After` when the receiver sets one, and
/// dead-lettering after the last.
public struct DeliveryRetryPolicy: Sendable, Equatable {
    /// Waits after attempt 1, 2, …; the default adds up to about three days.
    public var delays: [TimeInterval]
    public var jitter: Double
    /// A subscription whose deliveries have all failed for this long is disabled.
    public var disableAfter: TimeInterval

    public static let standard = DeliveryRetryPolicy(
        delays: [5, 60, 300, 1800, 7200, 21_600, 43_200, 86_400, 100_800], jitter: 0.1, disableAfter: 3 * 86_400)

    public init(delays: [TimeInterval], jitter: Double = 0.1, disableAfter: TimeInterval = 3 * 86_400) {
        self.delays = delays
        self.jitter = jitter
        self.disableAfter = disableAfter
    }

    /// The wait after failed attempt `attempt` (1-based), or nil when it was the last one.
    public func delay(after attempt: Int, retryAfter: TimeInterval?) -> TimeInterval? {
        guard attempt >= 1, attempt <= delays.count else { return nil }
        if let retryAfter { return min(max(retryAfter, 0), 86_400) }
        let base = delays[attempt - 1]
        return base * Double.random(in: (1 - jitter)...(1 + jitter))
    }
}
