import Atelier
import Foundation
import HTTPTypes
import Hummingbird

/// Staff accounts, for admins: the list, a new account (its one-time password shown once, on the answer to
/// the form, never in a URL), another role, disabling (which ends the account's sessions) and enabling.
struct ConsoleStaff: Sendable {
    let services: AppServices
    let page: ConsolePage

    static func manages(_ role: Role) -> Bool { role == .admin }

    func list(staff: StaffSessionContext, error: String? = nil, created: IssuedStaffAccount? = nil,
              status: HTTPResponse.Status = .ok) async throws -> Response {
        let store = services.staff
        let accounts = try await services.database.withConnection { db in
            try await store.list(page: PageRequest(limit: PageRequest.maxLimit), on: db).items
        }
        let rows: [[String: Any]] = accounts.map { account in
            ["id": account.id, "email": account.email, "name": account.displayName, "role": account.role.rawValue,
             "disabled": account.isDisabled, "isSelf": account.id == staff.account.id,
             "roles": Role.allCases.map { ["value": $0.rawValue, "selected": $0 == account.role] as [String: Any] }]
        }
        return page.render("staff", title: "Staff", status: status, staff: staff, values: [
            "accounts": rows, "error": error as Any,
            "created": created.map { ["email": $0.account.email, "password": $0.oneTimePassword] } as Any,
            "roles": Role.allCases.map { ["value": $0.rawValue] },
        ])
    }

    func act(_ action: ConsoleRoute.StaffAction, form: ConsoleForm, staff: StaffSessionContext) async throws -> Response {
        let store = services.staff
        do {
            switch action {
            case .create:
                guard let role = form.text("role").flatMap(Role.init(rawValue:)) else {
                    return try await list(staff: staff, error: "Choose a role.", status: .unprocessableContent)
                }
                let (email, name) = (form.text("email") ?? "", form.text("name") ?? "")
                let issued = try await services.database.transaction { db in
                    try await store.create(email: email, displayName: name, role: role, on: db)
                }
                return try await list(staff: staff, created: issued)
            case .role(let id):
                guard let role = form.text("role").flatMap(Role.init(rawValue:)) else {
                    return try await list(staff: staff, error: "Choose a role.", status: .unprocessableContent)
                }
                _ = try await services.database.transaction { db in try await store.setRole(id: id, role: role, on: db) }
            case .disable(let id):
                _ = try await services.database.transaction { db in try await store.disable(id: id, on: db) }
            case .enable(let id):
                _ = try await services.database.transaction { db in try await store.enable(id: id, on: db) }
            }
        } catch let error as AtelierError where error.status < 500 {
            let details = ConsolePage.explain(error)
            return try await list(staff: staff, error: details, status: HTTPResponse.Status(code: error.status))
        }
        return ConsolePage.redirect(to: "/console/staff")
    }
}
