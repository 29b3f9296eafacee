import AtelierCore
import Foundation

/// Bounds on catalog input, so that no definition can make a read or a check unboundedly expensive.
public enum CatalogLimits {
    public static let slugMaxLength = 80
    public static let nameMaxLength = 200
    public static let descriptionMaxLength = 5000
    public static let codeMaxLength = 40
    public static let maxLeadTimeDays = 365
    public static let maxMedia = 20
    public static let maxDimensions = 6
    public static let maxValuesPerDimension = 100
    public static let maxExclusions = 500
    public static let maxExplicitVariants = 2000
    public static let maxOptionSets = 20
    public static let maxOptionsPerSet = 50
    public static let urlMaxLength = 2000
    public static let altTextMaxLength = 300
    public static let skuMaxLength = 64
    /// Combinations enumerated to compute an exact price range; above it the range is the per-dimension bound.
    public static let exactRangeCombinations = 20_000
}
