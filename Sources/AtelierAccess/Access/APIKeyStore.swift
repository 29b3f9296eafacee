import AtelierCore
import Foundation
import SQLKit

/// Creates, lists, revokes and authenticates admin API keys.
public struct APIKeyStore: Sendable {
    public static let nameMaxLength = 100
    /// `last_used_at` is written at most this often per key, so reads do not turn into writes.
    static let lastUsedResolution: TimeInterval = 60

    private let clock: WallClock

    public init(clock: WallClock = .system) {
        self.clock = clock
    }

    struct Row: Codable, Sendable {
        var id: String
        var name: String
        var role: String
        var secretHash: String
        var createdAt: Date
        var lastUsedAt: Date?
        var revokedAt: Date?

        func key() throws -> APIKey {
            guard let role = Role(rawValue: role) else { throw AtelierError.internalError }
            return APIKey(id: id, name: name, role: role, createdAt: createdAt, lastUsedAt: lastUsedAt, revokedAt: revokedAt)
        }
    }

    static let decoder = SnakeCaseColumns.decoder

    public static func validateName(_ name: String) throws(AtelierError) -> String {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        var problems = ValidationErrors()
        if trimmed.isEmpty {
            problems.add("/name", .required, "name must not be empty.")
        } else if name.unicodeScalars.count > nameMaxLength {
            problems.add("/name", .tooLong, "name must be at most \(nameMaxLength) characters.")
        } else if trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            problems.add("/name", .invalidCharacters, "name must not contain control characters.")
        }
        try problems.check()
        return trimmed
    }

    public func create(name: String, role: Role, on db: any SQLDatabase) async throws -> IssuedAPIKey {
        let name = try Self.validateName(name)
        let now = clock.now
        let id = Identifier.make(prefix: APIKeyToken.idPrefix, at: now)
        let secret = Secret.randomToken(bytes: 32)
        let row = Row(id: id, name: name, role: role.rawValue, secretHash: Secret.sha256Hex(secret),
                      createdAt: now, lastUsedAt: nil, revokedAt: nil)
        try await db.insert(into: "api_keys").model(row, keyEncodingStrategy: .convertToSnakeCase).run()
        return IssuedAPIKey(key: try row.key(), token: APIKeyToken.render(keyID: id, secret: secret))
    }

    public func list(page: PageRequest, on db: any SQLDatabase) async throws -> Page<APIKey> {
        var query = db.select().column("*").from("api_keys")
        if let after = page.after { query = query.where("id", .greaterThan, after) }
        let rows = try await query.orderBy("id").limit(page.limit + 1).all(decoding: Row.self, with: Self.decoder)
        return try page.page(from: rows, key: \.id) { try $0.key() }
    }

    public func find(id: String, on db: any SQLDatabase) async throws -> APIKey? {
        guard Identifier.isWellFormed(id, prefix: APIKeyToken.idPrefix) else { return nil }
        return try await db.select().column("*").from("api_keys").where("id", .equal, id)
            .first(decoding: Row.self, with: Self.decoder)?.key()
    }

    public func count(on db: any SQLDatabase) async throws -> Int {
        try await db.raw("SELECT COUNT(*) AS n FROM api_keys").first(decodingColumn: "n", as: Int.self) ?? 0
    }

    /// Revokes a key. Revoking twice answers the key as it is. Through the API the last active admin
    /// key cannot be revoked, so the shop is never locked out of its own admin API; the operator's
    /// command line passes `allowingLastAdmin`, since it can always mint a new key.
    /// Run inside a transaction: the check and the update must see the same keys.
    public func revoke(id: String, allowingLastAdmin: Bool = false, on db: any SQLDatabase) async throws -> APIKey {
        guard let key = try await find(id: id, on: db) else { throw AtelierError.notFound("API key '\(id)'") }
        guard key.isActive else { return key }
        if key.role == .admin, !allowingLastAdmin {
            let admins = try await db.raw("""
                SELECT COUNT(*) AS n FROM api_keys WHERE role = 'admin' AND revoked_at IS NULL
                """).first(decodingColumn: "n", as: Int.self) ?? 0
            if admins <= 1 {
                throw AtelierError(
                    .conflict, code: .lastAdminKey, title: "Cannot revoke the last admin key",
                    detail: "Create another admin key first; without one nobody could manage the shop."
                )
            }
        }
        try await db.update("api_keys").set("revoked_at", to: clock.now)
            .where("id", .equal, id).where("revoked_at", .is, SQLLiteral.null).run()
        return try await find(id: id, on: db) ?? key
    }

    /// The active key a bearer token belongs to, or nil. The secret's hash is compared in constant time.
    public func authenticate(token: String, on db: any SQLDatabase) async throws -> APIKey? {
        guard let parsed = APIKeyToken(token) else { return nil }
        guard let row = try await db.select().column("*").from("api_keys").where("id", .equal, parsed.keyID)
            .first(decoding: Row.self, with: Self.decoder)
        else { return nil }
        guard Secret.constantTimeEquals(row.secretHash, Secret.sha256Hex(parsed.secret)), row.revokedAt == nil else {
            return nil
        }
        let now = clock.now
        if row.lastUsedAt.map({ now.timeIntervalSince($0) >= Self.lastUsedResolution }) ?? true {
            let cutoff = now.addingTimeInterval(-Self.lastUsedResolution)
            try await db.raw("""
                UPDATE api_keys SET last_used_at = \(bind: now)
                WHERE id = \(bind: row.id) AND (last_used_at IS NULL OR last_used_at < \(bind: cutoff))
                """).run()
        }
        var key = try row.key()
        key.lastUsedAt = key.lastUsedAt.map { max($0, now) } ?? now
        return key
    }
}
