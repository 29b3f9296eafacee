import AtelierCore
import Foundation

/// What a console request knows once its cookie resumed a session: who is signed in, the session (to end it on
/// sign-out), and the CSRF token its forms must carry.
public struct StaffSessionContext: Sendable, Equatable {
    public var account: StaffAccount
    /// The stored id: the SHA-256 of the token, not the token.
    public var sessionId: String
    public var csrfToken: String

    public init(account: StaffAccount, sessionId: String, csrfToken: String) {
        self.account = account
        self.sessionId = sessionId
        self.csrfToken = csrfToken
    }
}
