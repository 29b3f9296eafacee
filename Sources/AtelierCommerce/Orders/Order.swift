import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Foundation

public struct Order: Sendable, Equatable {
    public var id: String
    public var number: String
    public var checkoutId: String
    public var status: OrderStatus
    public var currency: String
    public var subtotal: Int64
    public var shipping: Int64
    public var tax: Int64
    public var total: Int64
    public var snapshot: CheckoutSnapshot
    /// Sealed; open with `PersonalDataCipher`.
    public var sealedCustomer: String
    public var provider: PaymentProviderKind
    public var paymentRef: String?
    public var refunded: Int64
    public var tracking: Tracking?
    public var expectedShipDate: String
    public var paidAt: Date
    public var deliveredAt: Date?
    public var createdAt: Date
    public var updatedAt: Date
}
