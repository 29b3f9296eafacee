import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import Foundation
import SQLKit

/// What an admin sends to create or change a subscription.
public struct WebhookSubscriptionInput: Sendable, Equatable {
    public var url: String
    public var description: String?
    public var eventTypes: [String]
    public var active: Bool

    public init(url: String, description: String? = nil, eventTypes: [String], active: Bool = true) {
        self.url = url
        self.description = description
        self.eventTypes = eventTypes
        self.active = active
    }
}
