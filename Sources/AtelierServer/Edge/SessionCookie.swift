import Foundation
import Atelier
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The cart key travels in `X-Session-Key` (API clients) or the `atelier_session` cookie (browsers).
enum SessionCookie {
    static let name = "atelier_session"

    static func key(from headers: HTTPFields) -> String? {
        if let key = headers[.sessionKey], !key.isEmpty { return key }
        return value(of: name, in: headers)
    }

    /// The value of the cookie `name` in the request's `Cookie` headers (the console's cookies are read the same way).
    static func value(of name: String, in headers: HTTPFields) -> String? {
        for field in headers[values: .cookie] {
            for pair in field.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == name {
                    return parts[1].trimmingCharacters(in: .whitespaces)
                }
            }
        }
        return nil
    }

    /// HttpOnly (scripts cannot read it), Secure (browsers treat http://localhost as secure too) and
    /// SameSite=Lax. Storefronts on another site send the key in `X-Session-Key` instead.
    static func header(_ key: String, maxAge: TimeInterval) -> String {
        "\(name)=\(key); Path=/; Max-Age=\(Int(maxAge)); HttpOnly; Secure; SameSite=Lax"
    }
}
