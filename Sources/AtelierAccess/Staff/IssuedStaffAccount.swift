import AtelierCore
import Foundation

/// An account as handed out at creation or after a password reset: the record and its one-time password,
/// which exists nowhere else (the database keeps only its bcrypt hash). Its descriptions leave the password out,
/// so logging or dumping the value by mistake does not leak it.
public struct IssuedStaffAccount: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var account: StaffAccount
    /// Shown once; the person signs in with it and must choose a new password at once.
    public var oneTimePassword: String

    public init(account: StaffAccount, oneTimePassword: String) {
        self.account = account
        self.oneTimePassword = oneTimePassword
    }

    public var description: String { "IssuedStaffAccount(\(account.id), \(account.email), one-time password withheld)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["account": account]) }
}
