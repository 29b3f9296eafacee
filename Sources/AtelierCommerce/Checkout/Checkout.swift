import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Foundation

extension CustomizationState {
    public var assetIds: Set<String> { Set(zones.values.compactMap(\.image)) }

    /// The same choices with the shopper's own texts and images taken out (erasure).
    public var erased: CustomizationState {
        var copy = self
        for (code, var value) in copy.zones {
            if var text = value.text {
                text.text = "[erased]"
                value.text = text
            }
            if value.image != nil { value.image = "erased" }
            copy.zones[code] = value
        }
        return copy
    }
}

public struct Checkout: Sendable, Equatable {
    public var id: String
    public var cartId: String
    public var status: CheckoutStatus
    public var provider: PaymentProviderKind
    public var providerRef: String?
    public var clientSecret: String?
    public var approvalURL: String?
    public var currency: String
    public var total: Int64
    public var snapshot: CheckoutSnapshot
    public var orderId: String?
    public var expiresAt: Date
    public var createdAt: Date

    /// Pending and no payment at the provider yet (its creation failed or its answer was lost). A gateway that settles
    /// locally (the test provider) gives its payment when the checkout is written: such a checkout never waits.
    public var awaitsProviderPayment: Bool { status == .pending && providerRef == nil }
}
