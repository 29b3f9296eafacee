import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import Foundation
import SQLKit

/// A partner's subscription: where to send which events, signed with its secret.
public struct WebhookSubscription: Sendable, Equatable {
    public enum Kind: String, Sendable { case partner, fulfillment, mail }

    public var id: String
    /// `fulfillment`: the configured fulfillment service, which receives whole orders (see `FulfillmentDocuments`).
    public var kind: Kind = .partner
    public var url: String
    public var description: String?
    /// Event types delivered; `*` for all.
    public var eventTypes: [String]
    public var active: Bool
    /// Why the subscription stopped (410 from the receiver, failing for days), for an admin to read.
    public var disabledReason: String?
    /// Since when every delivery has failed; nil while the receiver answers.
    public var failingSince: Date?
    public var previousSecretExpiresAt: Date?
    public var createdAt: Date
    public var updatedAt: Date

    public func wants(_ type: String) -> Bool { eventTypes.contains("*") || eventTypes.contains(type) }
}
