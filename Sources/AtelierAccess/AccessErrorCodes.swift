import AtelierCore

/// Codes AtelierAccess throws (API keys).
/// The raw values are part of the public contract: never change one.
extension AtelierError.Code {
    /// Revoking the last active admin key.
    public static let lastAdminKey = Self("last_admin_key")

    /// Every code declared in this file, for the contract test (Swift cannot list static members).
    public static let accessCodes: [AtelierError.Code] = [
        .lastAdminKey,
    ]
}
