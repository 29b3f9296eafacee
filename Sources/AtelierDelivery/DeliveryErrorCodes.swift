import AtelierCore

/// Codes AtelierDelivery throws (webhooks, fulfillment).
/// The raw values are part of the public contract: never change one.
extension AtelierError.Code {
    /// Changing a webhook subscription that the configuration sets.
    public static let configuredSubscription = Self("configured_subscription")
    /// A webhook subscription without event types.
    public static let empty = Self("empty")
    /// A fulfillment update with a status partners may not set.
    public static let invalidStatus = Self("invalid_status")
    /// A webhook event type that does not exist.
    public static let unknownEventType = Self("unknown_event_type")
    /// A webhook URL the outbound guardrail refuses (e.g. a private address).
    public static let urlRefused = Self("url_refused")

    /// Every code declared in this file, for the contract test (Swift cannot list static members).
    public static let deliveryCodes: [AtelierError.Code] = [
        .configuredSubscription, .empty, .invalidStatus, .unknownEventType, .urlRefused,
    ]
}
