import AtelierCore
import Foundation

/// A session as handed out when it starts: the token for the cookie (shown once, stored only as its hash) and the
/// CSRF token the console puts in its forms. Its descriptions leave both tokens out.
public struct IssuedStaffSession: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// 32 random bytes, base64url: 43 characters.
    public var token: String
    /// 32 random bytes, base64url; every state-changing form sends it back (`StaffSessionStore.csrfMatches`).
    public var csrfToken: String
    public var session: StaffSession

    public init(token: String, csrfToken: String, session: StaffSession) {
        self.token = token
        self.csrfToken = csrfToken
        self.session = session
    }

    public var description: String { "IssuedStaffSession(staff \(session.staffId), tokens withheld)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["session": session]) }
}
