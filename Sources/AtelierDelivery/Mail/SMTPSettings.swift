import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// An SMTP relay: `smtp://USER:PASSWORD@HOST:587` (STARTTLS required), `smtp://HOST:25?starttls=off` (plain, for a
/// local relay only), or `smtps://USER:PASSWORD@HOST:465` (TLS from the first byte).
public struct SMTPSettings: Sendable, Equatable {
    public enum Security: String, Sendable { case startTLS, implicitTLS, none }

    public var host: String
    public var port: Int
    public var username: String?
    public var password: String?
    public var security: Security
    /// PEM file of the certificate authorities to trust instead of the system's (a private relay, tests).
    public var caFile: String?

    public init(host: String, port: Int, username: String? = nil, password: String? = nil, security: Security = .startTLS, caFile: String? = nil) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.security = security
        self.caFile = caFile
    }

    /// From `ATELIER_SMTP_URL`; nil with the reason when it cannot be used.
    public static func parse(_ text: String, caFile: String?) -> (SMTPSettings?, String?) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(), ["smtp", "smtps"].contains(scheme),
              let host = components.host, !host.isEmpty
        else { return (nil, "must look like smtp://USER:PASSWORD@HOST:587 or smtps://…:465") }
        var security: Security = scheme == "smtps" ? .implicitTLS : .startTLS
        if scheme == "smtp", components.queryItems?.first(where: { $0.name == "starttls" })?.value == "off" { security = .none }
        let port = components.port ?? (scheme == "smtps" ? 465 : 587)
        return (SMTPSettings(host: host, port: port, username: components.user?.removingPercentEncoding,
                             password: components.password?.removingPercentEncoding, security: security, caFile: caFile), nil)
    }
}
