import Atelier
import HTTPTypes
import NIOCore
import OpenAPIRuntime

/// Every route the API serves, read from the contract: path template, method, the roles allowed, and
/// the operation that answers it.
///
/// The edge matches a request against it once, first: every middleware then reads what the contract says
/// of the route (roles, rate limit, body limit, cache), metrics are labelled by template instead of raw
/// path, and the `OperationRouter` at the end calls the route's operation or answers 404 and 405 (with
/// `Allow`). Because the table is the contract, an operation cannot be served without the protection the
/// document states.
struct RouteTable: Sendable {
    /// One method on one path template. A class, so that the match every middleware reads is one reference.
    final class Route: Sendable {
        let method: HTTPRequest.Method
        let template: String
        let operationID: String?
        /// nil: public. Otherwise the roles allowed to call it.
        let roles: Set<Role>?
        /// The response cache the operation's answers may be kept in (`x-atelier-cache`).
        let cache: String?
        /// The response cache a successful call makes stale (`x-atelier-invalidates`).
        let invalidates: String?
        /// Which body limit applies (`x-atelier-body-limit`); nil is the general one.
        let bodyLimit: String?
        /// Answers about one shopper (`x-atelier-private` on the path) or to a staff key: never kept by a
        /// shared cache.
        let isPrivate: Bool
        /// The body is written by someone else's software (`x-atelier-foreign-body`: a provider's webhook), so
        /// our own input rules (no JSON nulls) do not apply; its signature and its reader do.
        let foreignBody: Bool
        /// The allowance calls are counted against (`x-atelier-rate-limit`: general, checkout, upload, webhook or none);
        /// nil: not limited. Public operations default to general; staff operations are not limited.
        let rateLimit: RateLimitSettings.Class?
        /// The query parameters the contract names, in order: the only ones a cached answer depends on.
        let queryParameters: [String]
        /// What answers the route; nil until the operations are attached (`RouteTable.attaching`).
        let operation: RouteOperation?

        init(method: HTTPRequest.Method, template: String, operationID: String? = nil, roles: Set<Role>? = nil,
             cache: String? = nil, invalidates: String? = nil, bodyLimit: String? = nil, isPrivate: Bool = false,
             foreignBody: Bool = false, rateLimit: String? = nil, queryParameters: [String] = [],
             operation: RouteOperation? = nil) {
            self.method = method
            self.template = template
            self.operationID = operationID
            self.roles = roles
            self.cache = cache
            self.invalidates = invalidates
            self.bodyLimit = bodyLimit
            self.isPrivate = isPrivate || roles != nil
            self.foreignBody = foreignBody
            // "none" maps to nil inside the optional, which `??` keeps.
            self.rateLimit = rateLimit.map(RateLimitSettings.Class.init(rawValue:)) ?? (roles == nil ? .general : nil)
            self.queryParameters = queryParameters.sorted()
            self.operation = operation
        }

        private init(_ route: Route, operation: RouteOperation?) {
            method = route.method
            template = route.template
            operationID = route.operationID
            roles = route.roles
            cache = route.cache
            invalidates = route.invalidates
            bodyLimit = route.bodyLimit
            isPrivate = route.isPrivate
            foreignBody = route.foreignBody
            rateLimit = route.rateLimit
            queryParameters = route.queryParameters
            self.operation = operation
        }

        func with(_ operation: RouteOperation?) -> Route { Route(self, operation: operation) }

        /// The key an answer is cached under: the path and the contract's own query parameters, each as
        /// sent, so parameters nobody reads cannot mint new entries.
        func cacheKey(path: String, query: String?) -> String {
            var key = path
            guard !queryParameters.isEmpty, let query, !query.isEmpty else { return key }
            let pairs = query.split(separator: "&")
            var separator = "?"
            for name in queryParameters {
                for pair in pairs where pair == name || pair.hasPrefix(name + "=") {
                    key += separator + pair
                    separator = "&"
                }
            }
            return key
        }
    }

    /// All routes of one path template.
    struct PathEntry: Sendable {
        var template: String
        var segments: [Segment]
        var routes: [HTTPRequest.Method: Route]
    }

    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)

        var isParameter: Bool { if case .parameter = self { true } else { false } }
    }

    enum Match: Sendable {
        /// The route and the values of its path parameters, by name.
        case route(Route, parameters: [String: Substring])
        case methodNotAllowed(template: String, allowed: [HTTPRequest.Method])
        case notFound

        /// The route's template, or "unmatched": what metrics and logs are labelled with.
        var label: String {
            switch self {
            case .route(let route, _): route.template
            case .methodNotAllowed(let template, _): template
            case .notFound: "unmatched"
            }
        }

        /// The matched route, when there is one.
        var route: Route? {
            if case .route(let route, _) = self { route } else { nil }
        }
    }

    private(set) var entries: [PathEntry] = []
    private var bySegmentCount: [Int: [Int]] = [:]

    static let methods: [String: HTTPRequest.Method] = [
        "get": .get, "put": .put, "post": .post, "delete": .delete,
        "options": .options, "head": .head, "patch": .patch, "trace": .trace,
    ]

    init(document: [String: Any], extraRoutes: [Route] = []) throws {
        guard let paths = document["paths"] as? [String: Any] else { throw ContractError("the document has no paths") }
        var routes = extraRoutes
        for (template, value) in paths {
            guard let item = value as? [String: Any] else { continue }
            for (key, value) in item {
                guard let method = Self.methods[key], let operation = value as? [String: Any] else { continue }
                if let kind = operation["x-atelier-rate-limit"] as? String, kind != "none", RateLimitSettings.Class(rawValue: kind) == nil {
                    throw ContractError("\(template) names an unknown rate limit '\(kind)'")
                }
                routes.append(Route(
                    method: method,
                    template: template,
                    operationID: operation["operationId"] as? String,
                    roles: try Self.roles(of: operation, template: template),
                    cache: operation["x-atelier-cache"] as? String,
                    invalidates: operation["x-atelier-invalidates"] as? String,
                    bodyLimit: operation["x-atelier-body-limit"] as? String,
                    isPrivate: item["x-atelier-private"] as? Bool ?? false,
                    foreignBody: operation["x-atelier-foreign-body"] as? Bool ?? false,
                    rateLimit: operation["x-atelier-rate-limit"] as? String,
                    queryParameters: Self.queryParameters((item["parameters"] as? [Any] ?? []) + (operation["parameters"] as? [Any] ?? []),
                                                          document: document)
                ))
            }
        }
        for route in routes { add(route) }
    }

    /// Names of the `in: query` parameters, following `$ref`s into `components/parameters`.
    private static func queryParameters(_ list: [Any], document: [String: Any]) -> [String] {
        let shared = (document["components"] as? [String: Any])?["parameters"] as? [String: Any] ?? [:]
        return list.compactMap { entry -> String? in
            guard var parameter = entry as? [String: Any] else { return nil }
            if let ref = parameter["$ref"] as? String, let name = ref.split(separator: "/").last,
               let resolved = shared[String(name)] as? [String: Any] {
                parameter = resolved
            }
            guard parameter["in"] as? String == "query" else { return nil }
            return parameter["name"] as? String
        }
    }

    /// Roles named in the operation's bearer requirement; nil when it has no security requirement.
    private static func roles(of operation: [String: Any], template: String) throws -> Set<Role>? {
        guard let requirements = operation["security"] as? [[String: [String]]], !requirements.isEmpty else { return nil }
        var roles = Set<Role>()
        for requirement in requirements {
            for name in requirement["bearerAuth"] ?? [] {
                guard let role = Role(rawValue: name) else {
                    throw ContractError("\(template) names an unknown role '\(name)'")
                }
                roles.insert(role)
            }
        }
        guard !roles.isEmpty else { throw ContractError("\(template) has a security requirement without roles") }
        return roles
    }

    private mutating func add(_ route: Route) {
        let segments = Self.split(route.template[...]).map {
            $0.hasPrefix("{") ? Segment.parameter(String($0.dropFirst().dropLast())) : .literal(String($0))
        }
        if let index = entries.firstIndex(where: { $0.template == route.template }) {
            entries[index].routes[route.method] = route
            return
        }
        entries.append(PathEntry(template: route.template, segments: segments, routes: [route.method: route]))
        bySegmentCount[segments.count, default: []].append(entries.count - 1)
        // Literal segments win over parameters ("/products/search" before "/products/{id}").
        bySegmentCount[segments.count]!.sort { lhs, rhs in
            let l = entries[lhs].segments.filter(\.isParameter).count
            let r = entries[rhs].segments.filter(\.isParameter).count
            return l < r
        }
    }

    private static func split(_ path: Substring) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true)
    }

    /// The first matching path decides, as in the router behind the edge: entries are ordered
    /// literal-first, so `/admin/products/bulk` answers for that path alone, never `/admin/products/{id}`.
    func match(method: HTTPRequest.Method, path: Substring) -> Match {
        let segments = Self.split(path)
        for index in bySegmentCount[segments.count] ?? [] {
            let entry = entries[index]
            guard zip(entry.segments, segments).allSatisfy({ pattern, value in
                switch pattern {
                case .parameter: true
                case .literal(let literal): literal == value
                }
            }) else { continue }
            if let route = entry.routes[method] {
                var parameters: [String: Substring] = [:]
                for (pattern, value) in zip(entry.segments, segments) {
                    if case .parameter(let name) = pattern { parameters[name] = value }
                }
                return .route(route, parameters: parameters)
            }
            return .methodNotAllowed(template: entry.template, allowed: entry.routes.keys.sorted { $0.rawValue < $1.rawValue })
        }
        return .notFound
    }

    /// The same table with each route's operation attached, found by method and template.
    func attaching(_ operations: [String: RouteOperation]) -> RouteTable {
        var table = self
        for index in table.entries.indices {
            for (method, route) in table.entries[index].routes {
                table.entries[index].routes[method] = route.with(operations[Self.key(method, route.template)])
            }
        }
        return table
    }

    static func key(_ method: HTTPRequest.Method, _ template: String) -> String { method.rawValue + " " + template }

    var allRoutes: [Route] {
        entries.flatMap { $0.routes.values }.sorted { ($0.template, $0.method.rawValue) < ($1.template, $1.method.rawValue) }
    }
}
