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
    /// The trace of the work that queued it (W3C `traceparent`), continued when it runs.
    public var traceParent: String? = nil
}
