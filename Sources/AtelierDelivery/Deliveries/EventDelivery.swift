import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import Foundation
import SQLKit

/// One event for one subscription, over the subscription's channel (a partner's webhook, the fulfillment
/// service, the shopper's email), tried until the receiver takes it or the schedule runs out.
public struct EventDelivery: Sendable, Equatable {
    public enum Status: String, Sendable { case pending, succeeded, dead, cancelled }

    public var id: String
    public var subscriptionId: String
    public var eventId: String
    public var eventType: String
    public var seq: Int64
    public var aggregateId: String
    public var payload: String
    public var status: Status
    public var attempts: Int
    public var nextAttemptAt: Date
    public var lastStatus: Int?
    public var lastError: String?
    public var createdAt: Date
    public var completedAt: Date?
    /// The trace of the change that made the event (W3C `traceparent`), continued by each attempt.
    public var traceParent: String? = nil
}
