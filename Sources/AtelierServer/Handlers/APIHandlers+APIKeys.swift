import Atelier
import AtelierAPI
import Foundation

extension APIHandlers {
    func getCurrentApiKey(_ input: Operations.GetCurrentApiKey.Input) async throws -> Operations.GetCurrentApiKey.Output {
        .ok(.init(body: .json(.init(try caller()))))
    }

    func listApiKeys(_ input: Operations.ListApiKeys.Input) async throws -> Operations.ListApiKeys.Output {
        let request = try PageRequest(limit: input.query.limit, cursor: input.query.cursor)
        let store = services.apiKeys
        let page = try await database.withConnection { db in try await store.list(page: request, on: db) }
        return .ok(.init(body: .json(.init(items: page.items.map(Components.Schemas.ApiKey.init), nextCursor: page.nextCursor))))
    }

    func createApiKey(_ input: Operations.CreateApiKey.Input) async throws -> Operations.CreateApiKey.Output {
        guard case .json(let body) = input.body else { throw AtelierError.badRequest("Send a JSON body.") }
        let store = services.apiKeys
        let issued = try await database.withConnection { db in
            try await store.create(name: body.name, role: Role(body.role), on: db)
        }
        RequestScope.current?.logger.notice("API key created", metadata: [
            "created_key_id": .string(issued.key.id), "role": .string(issued.key.role.rawValue),
        ])
        return .created(.init(body: .json(.init(key: .init(issued.key), token: issued.token))))
    }

    func getApiKey(_ input: Operations.GetApiKey.Input) async throws -> Operations.GetApiKey.Output {
        let id = input.path.keyId
        let store = services.apiKeys
        guard let key = try await database.withConnection({ db in try await store.find(id: id, on: db) }) else {
            throw AtelierError.notFound("API key '\(id)'")
        }
        return .ok(.init(body: .json(.init(key))))
    }

    func revokeApiKey(_ input: Operations.RevokeApiKey.Input) async throws -> Operations.RevokeApiKey.Output {
        let id = input.path.keyId
        if try caller().id == id {
            throw AtelierError(.conflict, code: .revokingOwnKey, title: "Cannot revoke the key in use",
                               detail: "Revoke this key with another admin key, or with `atelier api-key revoke`.")
        }
        let store = services.apiKeys
        let key = try await database.transaction { db in try await store.revoke(id: id, on: db) }
        RequestScope.current?.logger.notice("API key revoked", metadata: ["revoked_key_id": .string(key.id)])
        return .ok(.init(body: .json(.init(key))))
    }
}

extension Components.Schemas.ApiKey {
    init(_ key: APIKey) {
        self.init(id: key.id, name: key.name, role: .init(key.role), createdAt: key.createdAt,
                  lastUsedAt: key.lastUsedAt, revokedAt: key.revokedAt)
    }
}

extension Components.Schemas.Role {
    init(_ role: Role) {
        switch role {
        case .admin: self = .admin
        case .designer: self = .designer
        case .operations: self = .operations
        case .viewer: self = .viewer
        }
    }
}

extension Role {
    init(_ role: Components.Schemas.Role) {
        switch role {
        case .admin: self = .admin
        case .designer: self = .designer
        case .operations: self = .operations
        case .viewer: self = .viewer
        }
    }
}
