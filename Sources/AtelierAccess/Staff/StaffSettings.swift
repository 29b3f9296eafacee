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

    /// The cost bcrypt accepts: it refuses (traps on) anything outside 4...31.
    var effectiveBcryptCost: UInt8 { min(max(bcryptCost, 4), 31) }
}
