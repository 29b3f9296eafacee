import AtelierCore

/// Codes AtelierAccess throws (API keys, staff accounts and their sessions).
/// The raw values are part of the public contract: never change one.
extension AtelierError.Code {
    /// Signing in, or changing a password, with a wrong email or password (which of the two is never said).
    public static let invalidCredentials = Self("invalid_credentials")
    /// Disabling the last active admin staff account, or giving it another role.
    public static let lastAdmin = Self("last_admin")
    /// Revoking the last active admin key.
    public static let lastAdminKey = Self("last_admin_key")
    /// Too many failed sign-ins for the account or from the address; `retryAfter` says when to try again.
    public static let loginThrottled = Self("login_throttled")
    /// Creating a staff account with an email another account has.
    public static let staffEmailTaken = Self("staff_email_taken")
    /// The named staff account does not exist.
    public static let staffNotFound = Self("staff_not_found")
    /// A new password that is too short, too long, the account's email or the current password.
    public static let weakPassword = Self("weak_password")

    /// Every code declared in this file, for the contract test (Swift cannot list static members).
    public static let accessCodes: [AtelierError.Code] = [
        .invalidCredentials, .lastAdmin, .lastAdminKey, .loginThrottled, .staffEmailTaken, .staffNotFound, .weakPassword,
    ]
}
