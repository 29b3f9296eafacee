import AtelierCore
import Foundation

/// An admin API key as stored: the secret itself is never kept, only its SHA-256.
public struct APIKey: Sendable, Equatable {
    public var id: String
    public var name: String
    public var role: Role
    public var createdAt: Date
    public var lastUsedAt: Date?
    public var revokedAt: Date?

    public var isActive: Bool { revokedAt == nil }
}

/// A key as handed out once at creation: the stored record and the secret token.
public struct IssuedAPIKey: Sendable {
    public var key: APIKey
    /// `atk_` + the 26 characters of the id + `_` + 43 characters of secret. Shown once.
    public var token: String
}

/// The parts of a presented token, checked for shape before any database access.
struct APIKeyToken: Equatable {
    static let prefix = "atk_"
    static let idPrefix = "key"

    var keyID: String
    var secret: String

    init?(_ token: String) {
        // "atk_" (4) + id body (26) + "_" (1) + secret (43)
        guard token.utf8.count == 74, token.hasPrefix(Self.prefix) else { return nil }
        let body = token.dropFirst(Self.prefix.count)
        let idBody = body.prefix(26)
        let rest = body.dropFirst(26)
        guard rest.first == "_" else { return nil }
        let keyID = Self.idPrefix + "_" + idBody
        guard Identifier.isWellFormed(keyID, prefix: Self.idPrefix) else { return nil }
        self.keyID = keyID
        self.secret = String(rest.dropFirst())
    }

    static func render(keyID: String, secret: String) -> String {
        prefix + keyID.dropFirst(idPrefix.count + 1) + "_" + secret
    }
}
