/// Who made a change: an API key, a staff member in the console, a payment provider, the fulfillment partner or a
/// job of the system.
public struct Actor: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        case apiKey = "api_key", paymentProvider = "payment_provider", fulfillmentPartner = "fulfillment_partner", system
        /// The shopper, with their checkout's access token (checkouts only).
        case shopper
        /// A staff member signed in to the console (the id is their account's).
        case staff
    }
    public var kind: Kind
    public var id: String?

    public init(_ kind: Kind, _ id: String? = nil) {
        self.kind = kind
        self.id = id
    }
}
