import AtelierCore
import Foundation

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
