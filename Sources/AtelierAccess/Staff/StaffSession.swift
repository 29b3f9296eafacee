import AtelierCore
import Foundation

/// A console session as stored. Its id is the SHA-256 (hex) of the cookie's token: the token itself is never
/// kept, so a copy of the database signs nobody in.
public struct StaffSession: Sendable, Equatable {
    public var id: String
    public var staffId: String
    public var createdAt: Date
    /// When the session was last used, written at most once a minute.
    public var lastSeenAt: Date
    /// The absolute end: `createdAt` plus the absolute timeout, however much the session is used.
    public var expiresAt: Date
    /// When it was ended: sign-out, a password change or reset, the account disabled.
    public var endedAt: Date?

    public init(id: String, staffId: String, createdAt: Date, lastSeenAt: Date, expiresAt: Date, endedAt: Date? = nil) {
        self.id = id
        self.staffId = staffId
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
        self.expiresAt = expiresAt
        self.endedAt = endedAt
    }
}
