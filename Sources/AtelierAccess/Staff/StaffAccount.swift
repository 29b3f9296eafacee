import AtelierCore
import Foundation

/// A person who signs in to the operator console. The password is never part of it: only its bcrypt hash is
/// stored, and only `StaffStore` reads that.
public struct StaffAccount: Sendable, Equatable {
    public var id: String
    /// Lowercased and trimmed; unique.
    public var email: String
    public var displayName: String
    /// The same four roles as the API keys, with the same meaning.
    public var role: Role
    /// Set while the password is a one-time password (new account, reset): the console asks for a new one first.
    public var mustChangePassword: Bool
    public var disabledAt: Date?
    public var passwordChangedAt: Date?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String, email: String, displayName: String, role: Role, mustChangePassword: Bool, disabledAt: Date? = nil,
        passwordChangedAt: Date? = nil, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.email = email
        self.displayName = displayName
        self.role = role
        self.mustChangePassword = mustChangePassword
        self.disabledAt = disabledAt
        self.passwordChangedAt = passwordChangedAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// A disabled account cannot sign in and has no session.
    public var isDisabled: Bool { disabledAt != nil }
}
