import Atelier
import Foundation

/// Checks the bearer API key of an admin call against the roles the contract allows.
struct Authenticator: Sendable {
    let database: any DatabaseClient
    let store: APIKeyStore

    /// The authenticated key; throws 401 without or with an unknown or revoked key, 403 for a role not allowed.
    func authorize(_ header: String?, roles: Set<Role>) async throws -> APIKey {
        guard let header, let token = Self.bearerToken(header) else { throw AtelierError.unauthorized }
        let store = self.store
        guard let key = try await database.withConnection({ db in try await store.authenticate(token: token, on: db) }) else {
            throw AtelierError.unauthorized
        }
        guard roles.contains(key.role) else {
            throw AtelierError.forbidden(role: key.role.rawValue, allowed: roles.sorted().map(\.rawValue))
        }
        return key
    }

    static func bearerToken(_ header: String) -> String? {
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}
