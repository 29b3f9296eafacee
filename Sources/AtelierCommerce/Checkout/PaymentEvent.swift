import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Foundation
import SQLKit

/// A payment fact reported by a provider (verified webhook or server-side call), never by a browser.
public struct PaymentEvent: Sendable, Equatable {
    public enum Kind: String, Sendable { case succeeded, failed }

    public var provider: PaymentProviderKind
    /// The provider's own event id: the same id twice is one event.
    public var eventId: String
    public var kind: Kind
    /// Our checkout id when the provider echoes it (metadata, custom id), else found by `providerRef`.
    public var checkoutId: String?
    public var providerRef: String?
    public var amount: Int64
    public var currency: String
    /// The provider's event as it arrived. Only its minimized form (`ProviderEventPayload`) is stored: ids,
    /// amounts, status and references, never the payer's details.
    public var payload: String

    public init(provider: PaymentProviderKind, eventId: String, kind: Kind, checkoutId: String?, providerRef: String?,
                amount: Int64, currency: String, payload: String) {
        self.provider = provider
        self.eventId = eventId
        self.kind = kind
        self.checkoutId = checkoutId
        self.providerRef = providerRef
        self.amount = amount
        self.currency = currency
        self.payload = payload
    }
}
