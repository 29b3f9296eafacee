import AtelierCore
import Foundation

/// How the operator console treats its staff: session lifetimes, password hashing, sign-in throttling.
///
/// Built with the defaults and changed field by field (`var settings = StaffSettings(); settings.bcryptCost = 4`).
public struct StaffSettings: Sendable, Equatable {
    /// Whether the console is served (and, on a new database, a first admin account is created for it).
    public var consoleEnabled = true
    /// A session that has not been used for this long is over.
    public var idleTimeout: TimeInterval = 1800
    /// A session is over this long after it started, however much it is used.
    public var absoluteTimeout: TimeInterval = 43_200
    /// bcrypt's cost (log2 of its rounds), 4...31; each step doubles the time a password check takes.
    public var bcryptCost: UInt8 = 12
    /// Failed sign-ins for one account within `failureWindow` that lock the account for `lockout`.
    public var maxFailuresPerAccount = 5
    /// Failed sign-ins from one client address within `failureWindow` that lock the address for `lockout`.
    public var maxFailuresPerAddress = 50
    /// How far back failed sign-ins are counted: the count starts again once its first failure is this old.
    public var failureWindow: TimeInterval = 900
    /// How long a locked account or address is refused.
    public var lockout: TimeInterval = 900
    /// The fewest characters a chosen password may have.
    public var minimumPasswordLength = 12

    public init() {}

    /// Reads the variables below; a bad one is recorded in `reader` and leaves its default.
    package static func read(_ reader: inout EnvironmentReader) -> StaffSettings {
        var settings = StaffSettings()
        settings.consoleEnabled = reader.boolean("ATELIER_CONSOLE", default: settings.consoleEnabled)
        settings.idleTimeout = reader.seconds("ATELIER_CONSOLE_IDLE_TIMEOUT_SECONDS", default: settings.idleTimeout, in: 60...86_400)
        settings.absoluteTimeout = reader.seconds("ATELIER_CONSOLE_SESSION_MAX_SECONDS", default: settings.absoluteTimeout, in: 300...2_592_000)
        return settings
    }

    /// The variables `read` reads, as the README documents them.
    public static let variables: [EnvironmentVariable] = [
        .init("ATELIER_CONSOLE", "true", "serve the operator console at /console (false for API-only nodes)"),
        .init("ATELIER_CONSOLE_IDLE_TIMEOUT_SECONDS", "1800", "a console session unused for this long is over"),
        .init("ATELIER_CONSOLE_SESSION_MAX_SECONDS", "43200", "a console session is over this long after sign-in, however much it is used"),
    ]

    /// The cost bcrypt accepts: it refuses (traps on) anything outside 4...31.
    var effectiveBcryptCost: UInt8 { min(max(bcryptCost, 4), 31) }
}
