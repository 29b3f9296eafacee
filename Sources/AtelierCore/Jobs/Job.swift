import Foundation

/// A unit of background work stored in the database: previews now, webhook deliveries, fulfillment
/// and email later. Enqueued inside the caller's transaction, so work is queued exactly when the
/// change that needs it commits.
public struct Job: Sendable, Equatable {
    public enum State: String, Sendable, Codable {
        case queued, running, succeeded, dead
    }

    public var id: String
    public var kind: String
    public var payload: String
    public var state: State
    public var attempts: Int
    public var maxAttempts: Int
    public var runAt: Date
    public var lockedBy: String?
    public var lockedUntil: Date?
    public var lastError: String?
    public var result: String?
    public var dedupeKey: String?
    public var createdAt: Date
    public var updatedAt: Date
}

/// How a failed job is retried: exponential backoff with full jitter, capped.
public struct RetryPolicy: Sendable, Equatable {
    public var maxAttempts: Int
    public var baseDelay: TimeInterval
    public var maxDelay: TimeInterval

    public init(maxAttempts: Int = 8, baseDelay: TimeInterval = 5, maxDelay: TimeInterval = 3600) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// The wait before attempt `attempt + 1`, after `attempt` failures: between half and all of
    /// `baseDelay × 2^(attempt−1)`, never above `maxDelay`.
    public func delay(afterAttempt attempt: Int, random: Double = Double.random(in: 0...1)) -> TimeInterval {
        let exponent = min(max(attempt - 1, 0), 30)
        let ceiling = min(maxDelay, baseDelay * pow(2, Double(exponent)))
        return ceiling / 2 + ceiling / 2 * random
    }
}
