import Atelier
import HTTPTypes
import Hummingbird
import NIOCore

/// Builds the console's answers: a rendered page with the staff member's header, a redirect, or an error page.
struct ConsolePage: Sendable {
    let templates: ConsoleTemplates

    /// Roles that see orders: all but the studio's designers (as in the contract).
    static func seesOrders(_ role: Role) -> Bool { role != .designer }

    /// Roles that move orders on (the contract's roles of `transitionOrder`).
    static func movesOrders(_ role: Role) -> Bool { role == .admin || role == .operations }

    /// Roles that change the catalog: products, media, templates, inventory (the contract's catalog admin roles).
    static func editsCatalog(_ role: Role) -> Bool { role == .admin || role == .designer }

    /// Roles that see the shop's settings and reports (shipping, tax, sales): all but the designers.
    static func seesShop(_ role: Role) -> Bool { role != .designer }

    /// Roles that change the shop's settings, keys, webhooks and privacy requests: admins only.
    static func runsShop(_ role: Role) -> Bool { role == .admin }

    /// 403 for what the staff member's role may not see or do (the contract's roles).
    func refuse(_ staff: StaffSessionContext, _ message: String) -> Response {
        error(.forbidden, heading: "Not for your role", message: message, staff: staff)
    }

    func render(_ template: String, title: String, status: HTTPResponse.Status = .ok, staff: StaffSessionContext?,
                values: [String: Any] = [:], headers: [HTTPField] = []) -> Response {
        var all = values
        all["title"] = title
        if let staff {
            all["staff"] = [
                "displayName": staff.account.displayName, "role": staff.account.role.rawValue, "csrf": staff.csrfToken,
                "mustChangePassword": staff.account.mustChangePassword, "seesOrders": Self.seesOrders(staff.account.role),
                "managesStaff": ConsoleStaff.manages(staff.account.role),
                "editsCatalog": Self.editsCatalog(staff.account.role), "seesShop": Self.seesShop(staff.account.role),
                "runsShop": Self.runsShop(staff.account.role),
            ] as [String: Any]
            all["seesOrders"] = Self.seesOrders(staff.account.role)
        }
        all = Self.present(all)
        var fields: HTTPFields = [.contentType: "text/html; charset=utf-8"]
        for header in headers { fields.append(header) }
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: templates.render(template, all))))
    }

    /// A refusal from the domain in words for the page: each field's message by its field, else the detail.
    static func explain(_ error: AtelierError) -> String {
        guard !error.errors.isEmpty else { return error.detail }
        return error.errors.map { problem in
            let field = problem.pointer.split(separator: "/").last.map { $0.replacingOccurrences(of: "_", with: " ") } ?? "The form"
            return "\(field.prefix(1).uppercased() + field.dropFirst()) \(problem.message)"
        }.joined(separator: " ")
    }

    /// The values with every nil left out (Mustache would print "nil"), in nested lists and maps too.
    static func present(_ values: [String: Any]) -> [String: Any] {
        values.compactMapValues(unwrap)
    }

    private static func unwrap(_ value: Any) -> Any? {
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional {
            guard let inner = mirror.children.first?.value else { return nil }
            return unwrap(inner)
        }
        if let map = value as? [String: Any] { return present(map) }
        if let list = value as? [[String: Any]] { return list.map(present) }
        return value
    }

    func error(_ status: HTTPResponse.Status, heading: String, message: String, staff: StaffSessionContext?) -> Response {
        render("error", title: heading, status: status, staff: staff, values: ["heading": heading, "message": message])
    }

    static func redirect(to location: String, headers: [HTTPField] = []) -> Response {
        var fields: HTTPFields = [.location: location]
        for header in headers { fields.append(header) }
        return Response(status: .seeOther, headers: fields)
    }
}
