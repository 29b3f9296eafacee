import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Crypto
import Foundation

/// A shopper's cart: lines of customized products, found by an unguessable session key.
public struct Cart: Sendable, Equatable {
    public var id: String
    public var createdAt: Date
    public var updatedAt: Date
    public var expiresAt: Date
    public var lines: [CartLine]

    public var units: Int { lines.reduce(0) { $0 + $1.quantity } }
}
