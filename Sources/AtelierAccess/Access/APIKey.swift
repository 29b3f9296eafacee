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

    /// The token's public part (`atk_` and the id's characters, before the secret): how a holder tells which
    /// key a token is.
    public var tokenPrefix: String { APIKeyToken.prefix + String(id.dropFirst(APIKeyToken.idPrefix.count + 1)) }
}
