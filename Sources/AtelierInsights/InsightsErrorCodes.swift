import AtelierCore

/// Codes AtelierInsights throws (reports).
/// The raw values are part of the public contract: never change one.
extension AtelierError.Code {
    /// A report range whose end is before its start.
    public static let beforeFrom = Self("before_from")
    /// A report date that is not a calendar date.
    public static let invalidDate = Self("invalid_date")
    /// A report range longer than allowed.
    public static let rangeTooLong = Self("range_too_long")

    /// Every code declared in this file, for the contract test (Swift cannot list static members).
    public static let insightsCodes: [AtelierError.Code] = [
        .beforeFrom, .invalidDate, .rangeTooLong,
    ]
}
