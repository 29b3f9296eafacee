import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Crypto
import Foundation

/// Bounds on a cart, so that no cart can make a read or a checkout unboundedly expensive.
public struct CartLimits: Sendable, Equatable {
    public var maxQuantityPerLine: Int
    public var maxLines: Int
    public var maxUnits: Int

    public init(maxQuantityPerLine: Int = 100, maxLines: Int = 50, maxUnits: Int = 500) {
        self.maxQuantityPerLine = maxQuantityPerLine
        self.maxLines = maxLines
        self.maxUnits = maxUnits
    }
}
