import AtelierCore

public enum ShippingLimits {
    public static let maxRates = 300
    public static let maxBrackets = 50
    public static let maxGrams = 10_000_000
    public static let maxPosition = 10_000
}
