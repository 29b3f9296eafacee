import AtelierCore
import AtelierAccess

/// What a first start created for a newcomer: credentials that exist nowhere else, to be delivered once
/// (`BootstrapKeyOutput`) and never logged.
public struct BootstrapOutcome: Sendable {
    /// The first admin API key, when the database had none.
    public var adminKey: IssuedAPIKey?
    /// The first console account (`Bootstrap.consoleAdminEmail`, an admin) and its one-time password, when the
    /// database had no staff account.
    public var consoleAdmin: IssuedStaffAccount?

    public init(adminKey: IssuedAPIKey? = nil, consoleAdmin: IssuedStaffAccount? = nil) {
        self.adminKey = adminKey
        self.consoleAdmin = consoleAdmin
    }
}
