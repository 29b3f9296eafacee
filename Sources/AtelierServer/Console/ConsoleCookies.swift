import Atelier
import Foundation
import HTTPTypes

/// The console's two cookies: the session's opaque token, and the sign-in form's anti-forgery token. Both are
/// `HttpOnly` (scripts never read them), `Secure`, `SameSite=Strict` (never sent from another site) and scoped to
/// `/console`, so the API never sees them.
enum ConsoleCookies {
    static let session = "atelier_console"
    static let signInToken = "atelier_console_csrf"

    /// The cookie's value; an empty or overlong one (no token of ours is) counts as none.
    static func value(_ name: String, in headers: HTTPFields) -> String? {
        guard let value = SessionCookie.value(of: name, in: headers), !value.isEmpty, value.utf8.count <= 128 else { return nil }
        return value
    }

    /// A cookie that lasts as long as the browser (the server decides when a session is over).
    static func set(_ name: String, _ value: String) -> HTTPField {
        HTTPField(name: .setCookie, value: "\(name)=\(value); Path=/console; HttpOnly; Secure; SameSite=Strict")
    }

    static func clear(_ name: String) -> HTTPField {
        HTTPField(name: .setCookie, value: "\(name)=; Path=/console; Max-Age=0; HttpOnly; Secure; SameSite=Strict")
    }

    /// 32 random bytes, base64url: a new anti-forgery token.
    static func newToken() -> String { Secret.randomToken(bytes: 32) }
}
