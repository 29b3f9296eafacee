import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Crypto
import Foundation

/// One line: a product in one variant with one customization, as the shopper made it. The snapshot
/// (choices and pinned template version) never changes; the price shown is recomputed on every read,
/// and `unitPrice` keeps the one the shopper saw when adding, to flag a change.
public struct CartLine: Sendable, Equatable {
    public var id: String
    public var lineKey: String
    /// Order of the lines in the cart: the order they were first added.
    public var position: Int
    public var productId: String
    public var templateVersion: Int?
    public var state: CustomizationState
    public var sessionId: String?
    public var previewAssetId: String?
    public var quantity: Int
    public var unitPrice: Int64
    public var currency: String
    public var createdAt: Date
    public var updatedAt: Date
}
