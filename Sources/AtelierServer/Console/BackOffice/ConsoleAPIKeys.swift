import Atelier
import Foundation
import HTTPTypes
import Hummingbird

/// Admin API keys, for admins: the list, a new key (its token shown once, on the answer to the form, never in a
/// URL) and revoking one after a confirmation. Through the admin API's store, so the last admin key stays.
struct ConsoleAPIKeys: Sendable {
    let services: AppServices
    let page: ConsolePage

    /// What the page shows besides the list: the new key's form as typed, a key just made, a revocation to confirm.
    struct Extras {
        var name = ""
        var role = Role.viewer
        var errors = ConsoleFieldErrors()
        var issued: IssuedAPIKey?
        var confirm: APIKey?
    }

    func list(staff: StaffSessionContext, cursor: String? = nil, extras: Extras = Extras(), status: HTTPResponse.Status = .ok) async throws -> Response {
        let request: PageRequest
        do {
            request = try PageRequest(limit: PageRequest.maxLimit, cursor: cursor)
        } catch {
            return page.error(.badRequest, heading: "Bad page", message: "That page of keys does not exist; start again from the first.", staff: staff)
        }
        let store = services.apiKeys
        let keys = try await services.database.withConnection { db in try await store.list(page: request, on: db) }
        let orders = ConsoleOrders(services: services, page: page)
        let rows: [[String: Any]] = keys.items.map { key in
            ["id": key.id, "name": key.name, "role": key.role.rawValue, "prefix": key.tokenPrefix, "created": orders.time(key.createdAt),
             "lastUsed": key.lastUsedAt.map(orders.time) ?? "never", "revoked": key.revokedAt.map(orders.time) as Any, "active": key.isActive]
        }
        return page.render("api-keys", title: "API keys", status: status, staff: staff, values: [
            "keys": rows, "next": keys.nextCursor.map { "/console/api-keys?cursor=\($0)" } as Any,
            "summary": extras.errors.summary as Any,
            "nameField": extras.errors.field("key-name", label: "Name (who or what uses it)", value: extras.name, required: true),
            "roles": Role.allCases.map { ["value": $0.rawValue, "selected": $0 == extras.role] as [String: Any] },
            "issued": extras.issued.map { ["name": $0.key.name, "role": $0.key.role.rawValue, "token": $0.token] } as Any,
            "confirm": extras.confirm.map { ["id": $0.id, "name": $0.name, "role": $0.role.rawValue, "prefix": $0.tokenPrefix] } as Any,
        ])
    }

    func create(_ form: ConsoleForm, staff: StaffSessionContext) async throws -> Response {
        var extras = Extras()
        extras.name = form["key-name"] ?? ""
        guard let role = form.text("key-role").flatMap(Role.init(rawValue:)) else {
            extras.errors.note("Choose the key's role.")
            return try await list(staff: staff, extras: extras, status: .unprocessableContent)
        }
        extras.role = role
        let (store, name) = (services.apiKeys, extras.name)
        do {
            extras.issued = try await services.database.withConnection { db in try await store.create(name: name, role: role, on: db) }
        } catch let error as AtelierError where error.status < 500 {
            extras.errors = ConsoleFieldErrors(error) { $0 == "/name" ? "key-name" : nil }
            return try await list(staff: staff, extras: extras, status: HTTPResponse.Status(code: error.status))
        }
        // The token is in this answer only: the form is cleared for the next key.
        extras.name = ""
        extras.role = .viewer
        return try await list(staff: staff, extras: extras)
    }

    /// Without `confirm=yes`, the page asks to confirm; with it, the key is revoked (the store keeps the last admin key).
    func revoke(id: String, form: ConsoleForm, staff: StaffSessionContext) async throws -> Response {
        let store = services.apiKeys
        guard form.text("confirm") == "yes" else {
            guard let key = try await services.database.withConnection({ db in try await store.find(id: id, on: db) }) else {
                return page.error(.notFound, heading: "No such key", message: "There is no API key with that id.", staff: staff)
            }
            var extras = Extras()
            extras.confirm = key.isActive ? key : nil
            return try await list(staff: staff, extras: extras)
        }
        do {
            _ = try await services.database.transaction { db in try await store.revoke(id: id, on: db) }
        } catch let error as AtelierError where error.status < 500 {
            var extras = Extras()
            extras.errors.note(error.detail)
            return try await list(staff: staff, extras: extras, status: HTTPResponse.Status(code: error.status))
        }
        return ConsolePage.redirect(to: "/console/api-keys")
    }
}
