import HTTPTypes

/// The console's pages, matched from method and path; the label names the page in metrics and logs.
enum ConsoleRoute: Equatable {
    case dashboard
    case signInPage, signIn, signOut
    case passwordPage, changePassword
    case orders
    case searchOrders
    case order(id: String)
    case transition(id: String)
    case stylesheet
    case staffList
    case staffAction(StaffAction)
    /// The catalog studio: products, their media, inventory and templates, the bulk import.
    case studio(StudioRoute)
    /// The shop's settings: shipping, tax, API keys, webhooks, privacy requests.
    case backOffice(BackOfficeRoute)
    case reports(ReportsRoute)

    enum StaffAction: Equatable {
        case create
        case role(id: String)
        case disable(id: String)
        case enable(id: String)
    }

    static let prefix = "/console"

    /// Whether the path is the console's (and so not the API's).
    static func owns(_ path: String) -> Bool {
        path == prefix || path.hasPrefix(prefix + "/")
    }

    init?(method: HTTPRequest.Method, path: String) {
        let rest = path.dropFirst(Self.prefix.count).split(separator: "/", omittingEmptySubsequences: true)
        if let route = StudioRoute(method: method, rest: rest) { self = .studio(route); return }
        if let route = BackOfficeRoute(method: method, rest: rest) { self = .backOffice(route); return }
        if let route = ReportsRoute(method: method, rest: rest) { self = .reports(route); return }
        switch (method, rest.count, rest.first) {
        case (.get, 0, _): self = .dashboard
        case (.get, 1, "sign-in"): self = .signInPage
        case (.post, 1, "sign-in"): self = .signIn
        case (.post, 1, "sign-out"): self = .signOut
        case (.get, 1, "password"): self = .passwordPage
        case (.post, 1, "password"): self = .changePassword
        case (.get, 1, "orders"): self = .orders
        case (.post, 1, "orders"): self = .searchOrders
        case (.get, 2, "orders"): self = .order(id: String(rest[1]))
        case (.post, 3, "orders") where rest[2] == "transition": self = .transition(id: String(rest[1]))
        case (.get, 2, "static") where rest[1] == "console.css": self = .stylesheet
        case (.get, 1, "staff"): self = .staffList
        case (.post, 1, "staff"): self = .staffAction(.create)
        case (.post, 3, "staff") where rest[2] == "role": self = .staffAction(.role(id: String(rest[1])))
        case (.post, 3, "staff") where rest[2] == "disable": self = .staffAction(.disable(id: String(rest[1])))
        case (.post, 3, "staff") where rest[2] == "enable": self = .staffAction(.enable(id: String(rest[1])))
        default: return nil
        }
    }

    var label: String {
        switch self {
        case .dashboard: "/console/"
        case .signInPage, .signIn: "/console/sign-in"
        case .signOut: "/console/sign-out"
        case .passwordPage, .changePassword: "/console/password"
        case .orders, .searchOrders: "/console/orders"
        case .order: "/console/orders/{id}"
        case .transition: "/console/orders/{id}/transition"
        case .stylesheet: "/console/static/console.css"
        case .staffList, .staffAction(.create): "/console/staff"
        case .staffAction(.role): "/console/staff/{id}/role"
        case .staffAction(.disable): "/console/staff/{id}/disable"
        case .staffAction(.enable): "/console/staff/{id}/enable"
        case .studio(let route): route.label
        case .backOffice(let route): route.label
        case .reports(let route): route.label
        }
    }
}

/// The pages of one part of the console: matched from the method and the path's segments after `/console`.
protocol ConsoleAreaRoute: Equatable, Sendable {
    init?(method: HTTPRequest.Method, rest: [Substring])
    /// The route's template, naming it in metrics and logs.
    var label: String { get }
    /// Whether it is a form post (which must carry the session's anti-forgery token).
    var isPost: Bool { get }
    /// Whether its form sends a file (and so may hold as much as the largest upload the shop accepts).
    var sendsFile: Bool { get }
}

extension ConsoleAreaRoute {
    var sendsFile: Bool { false }
}
