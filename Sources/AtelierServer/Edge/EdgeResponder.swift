import Foundation
import Atelier
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The outermost layer of every request, in front of the router.
///
/// In order: assigns the request id, refuses a target or headers longer than any honest client sends
/// (414/431, before anything is keyed on them), resolves the route from the contract (answering 404/405
/// itself), counts public calls against their client's rate limit (429 before the body is read),
/// enforces the body size limit, authenticates and authorizes admin calls, then calls the router.
/// Whatever is thrown comes back as problem+json; every answer is measured and logged once.
struct EdgeResponder<Inner: HTTPResponder>: HTTPResponder where Inner.Context == AtelierRequestContext {
    typealias Context = AtelierRequestContext

    let inner: Inner
    let routes: RouteTable
    let authenticator: Authenticator
    let metrics: HTTPMetrics
    let maxBodyBytes: Int
    let maxAssetBytes: Int
    let cache: ResponseCache
    let database: any DatabaseClient
    /// Carts: the store reads stamps (and the cookie's lifetime), answers are kept in `cartCache`.
    let carts: CartStore
    let cartCache: CartAnswerCache
    let shipDates: ShipDateCalendar
    let clock: WallClock
    /// Storefront origins allowed to call from a browser (empty: none).
    var cors = CORSPolicy(origins: [])
    /// Per-client allowances of the public operations (off: no limits).
    var rateLimiter = RateLimiter(settings: .off)
    /// Who may read `/metrics`.
    var metricsAccess = MetricsAccess(token: nil)
    /// Bytes each client may upload per hour (nil: no quota).
    var uploadQuota: UploadQuota?

    func respond(to request: Request, context: Context) async throws -> Response {
        let started = ContinuousClock.now
        let requestID = RequestIDs.accept(request.headers[.requestID]) ?? RequestIDs.make()
        var context = context
        context.logger[metadataKey: "request_id"] = .string(requestID)
        let match = routes.match(method: request.method, path: request.uri.path[...])

        let allowedOrigin = request.headers[.origin].flatMap { cors.allows($0) ? $0 : nil }
        var response: Response
        var allowance: RateLimiter.Decision?
        do {
            try RequestSize.check(request)
            if case .route(let route) = match, route.template == "/metrics",
               !metricsAccess.allows(remoteAddress: context.remoteAddress, authorization: request.headers[.authorization]) {
                throw MetricsAccess.refusal
            }
            if case .route(let route) = match, let kind = route.rateLimit, rateLimiter.isEnabled {
                let keys = rateLimiter.keys(remoteAddress: context.remoteAddress, headers: request.headers,
                                            sessionKey: SessionCookie.key(from: request.headers))
                allowance = rateLimiter.take(kind, keys: keys)
                if let allowance, !allowance.allowed { throw RateLimiter.refusal(allowance) }
            }
            if request.method == .options, let allowedOrigin, request.headers[.accessControlRequestMethod] != nil,
               case .methodNotAllowed(_, let allowed) = match {
                response = cors.preflight(origin: allowedOrigin, methods: allowed)
            } else {
                response = try await handle(request, context: context, match: match, requestID: requestID)
            }
        } catch {
            let (problem, isInternal) = ProblemMapper.problem(for: error)
            if isInternal {
                context.logger.error("request failed", metadata: [
                    "error": .string(String(reflecting: error)),
                    "method": .string(request.method.rawValue),
                    "path": .string(request.uri.path),
                ])
            }
            var headers: HTTPFields = [:]
            if problem.kind == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
            if problem.kind == .uriTooLong || problem.kind == .headersTooLarge { headers[.connection] = "close" }
            if problem.kind == .tooManyRequests, let retryAfter = problem.members["retryAfter"] { headers[.retryAfter] = retryAfter }
            response = ProblemMapper.response(problem, requestID: requestID, headers: headers)
        }
        response.headers[.requestID] = requestID
        if let allowance { RateLimiter.apply(allowance, to: &response.headers) }
        if case .route(let route) = match, route.isPrivate {
            // One shopper's cart, checkout or order, or what a staff key may see: nobody else's.
            response.headers[.cacheControl] = "no-store"
        }
        SecurityHeaders.apply(to: &response.headers)
        cors.apply(to: &response.headers, origin: allowedOrigin)

        let route: String = switch match {
        case .route(let route): route.template
        case .methodNotAllowed(let template, _): template
        case .notFound: "unmatched"
        }
        let elapsed = ContinuousClock.now - started
        metrics.record(method: request.method.rawValue, route: route, status: response.status.code, duration: elapsed)
        let level: Logger.Level = route.hasPrefix("/health/") || route == "/metrics" ? .debug : .info
        context.logger.log(level: level, "request", metadata: [
            "method": .string(request.method.rawValue),
            "route": .string(route),
            "status": .stringConvertible(response.status.code),
            "duration_ms": .stringConvertible(elapsed.milliseconds),
        ])
        return response
    }

    private func handle(_ request: Request, context: Context, match: RouteTable.Match, requestID: String) async throws -> Response {
        let route: RouteTable.Route
        switch match {
        case .notFound:
            throw AtelierError(.notFound, code: .routeNotFound, title: "Not found",
                               detail: "No operation at \(request.uri.path); see /openapi.json for the API.")
        case .methodNotAllowed(_, let allowed):
            let list = allowed.map(\.rawValue).joined(separator: ", ")
            var response = ProblemMapper.response(
                AtelierError(.methodNotAllowed, code: .methodNotAllowed, title: "Method not allowed",
                             detail: "\(request.method.rawValue) is not allowed here; allowed: \(list)."),
                requestID: requestID
            )
            response.headers[.allow] = list
            return response
        case .route(let matched):
            route = matched
        }

        var request = request
        let isUpload = route.bodyLimit == "asset"
        let limit = isUpload ? maxAssetBytes : maxBodyBytes
        let declaredLength = request.headers[.contentLength].flatMap(Int.init)
        if let declaredLength, declaredLength > limit {
            throw Self.tooLarge(limit)
        }
        var body = ByteBuffer()
        if isUpload {
            // Uploads stream through to their handler (which enforces the limit), charged to the client's quota.
            if let uploadQuota, let client = rateLimiter.clientAddress(remoteAddress: context.remoteAddress, headers: request.headers) {
                request.body = try uploadQuota.meter(request.body, client: client, declaredLength: declaredLength)
            }
        } else {
            do {
                body = try await request.collectBody(upTo: limit)
            } catch let error as HTTPError where error.status == .contentTooLarge {
                throw Self.tooLarge(limit)
            }
        }
        if body.readableBytes > 0, !route.foreignBody, request.headers[.contentType].map(Self.isJSON) ?? true, let pointer = JSONNulls.firstNull(in: body) {
            throw AtelierError(.badRequest, code: .invalidBody, title: "The body does not match the schema",
                               detail: "\(pointer.isEmpty ? "The body" : pointer): null is not allowed; leave the field out.",
                               errors: [.init(pointer: pointer, code: .nullNotAllowed, message: "null is not allowed; leave the field out.")])
        }

        if let header = request.headers[.sessionKey], !(1...200).contains(header.unicodeScalars.count) {
            throw AtelierError(.badRequest, code: .invalidSessionKey, title: "Invalid session key",
                               detail: "X-Session-Key must be 1–200 characters: the key answered by POST /cart/items; leave it out to start a cart.")
        }
        var scope = RequestScope(requestID: requestID, logger: context.logger, apiKey: nil,
                                 sessionKey: SessionCookie.key(from: request.headers), rawBody: body)
        if let roles = route.roles {
            scope.apiKey = try await authenticator.authorize(request.headers[.authorization], roles: roles)
            scope.logger[metadataKey: "api_key_id"] = scope.apiKey.map { .string($0.id) }
        }
        if route.cache == "catalog", request.method == .get {
            return try await cached(request, context: context, scope: scope, key: route.cacheKey(path: request.uri.path, query: request.uri.query))
        }
        if route.cache == "cart", let key = scope.sessionKey {
            return try await cachedCart(request, body: body, key: key, route: route.template, context: context, scope: scope)
        }
        var response = try await RequestScope.$current.withValue(scope) {
            try await inner.respond(to: request, context: context)
        }
        if let minted = response.headers[.sessionKey] {
            // A new cart's key also goes to browsers as a cookie.
            response.headers.append(HTTPField(name: .setCookie, value: SessionCookie.header(minted, maxAge: carts.ttl)))
        }
        if route.invalidates != nil, response.status.kind == .successful {
            // This node serves its own writes at once; other nodes notice within their poll interval.
            await refresh(cache, from: database, logger: context.logger)
        }
        return response
    }

    /// Serves a cacheable read from the cache, or makes, keeps and serves it.
    private func cached(_ request: Request, context: Context, scope: RequestScope, key: String) async throws -> Response {        let ifNoneMatch = request.headers[.ifNoneMatch]
        if let entry = cache.lookup(key) {
            return ResponseCache.response(for: entry, ifNoneMatch: ifNoneMatch)
        }
        let revision = cache.revision
        var response = try await RequestScope.$current.withValue(scope) {
            try await inner.respond(to: request, context: context)
        }
        guard response.status == .ok else { return response }
        let body = try await ResponseCache.collect(response.body)
        let entry = cache.store(key, revision: revision, contentType: response.headers[.contentType] ?? "application/json", body: body)
        response = ResponseCache.response(for: entry, ifNoneMatch: ifNoneMatch)
        return response
    }

    /// Serves a cart read or quote from the cart cache, or makes, keeps and serves it (see `CartAnswerCache`).
    private func cachedCart(_ request: Request, body: ByteBuffer, key: String, route: String, context: Context,
                            scope: RequestScope) async throws -> Response {
        let now = clock.now
        let carts = self.carts
        let stamp = try await database.withConnection { db in try await carts.stamp(key: key, on: db) }
        // The database may be ahead of this node (a write through another node): catch up first, so that
        // products kept in memory are not older than the stamp the answer will be kept under.
        if let stamp { cache.observe(stamp.catalogRevision) }
        let day = shipDates.shipDate(leadDays: 0, from: now)
        let cacheKey = stamp.map { CartAnswerCache.key(cartId: $0.cartId, route: route, body: body) }
        // A read that should extend the cart's life goes to the handler, which does.
        let touching = request.method == .get && (stamp?.needsTouch(ttl: carts.ttl, now: now) ?? false)
        if let stamp, let cacheKey, !touching, let entry = cartCache.lookup(cacheKey, stamp: stamp, day: day) {
            return Response(status: .ok, headers: [.contentType: entry.contentType], body: .init(byteBuffer: entry.body))
        }
        var response = try await RequestScope.$current.withValue(scope) {
            try await inner.respond(to: request, context: context)
        }
        guard let stamp, let cacheKey, response.status == .ok else { return response }
        let collected = try await ResponseCache.collect(response.body)
        cartCache.store(cacheKey, stamp: stamp, day: day, contentType: response.headers[.contentType] ?? "application/json", body: collected)
        response.body = .init(byteBuffer: collected)
        return response
    }

    private static func isJSON(_ contentType: String) -> Bool {
        let type = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return type == "application/json" || type.hasSuffix("+json")
    }

    private static func tooLarge(_ limit: Int) -> AtelierError {
        AtelierError(.contentTooLarge, code: .contentTooLarge, title: "Request body too large",
                     detail: "The request body is larger than \(limit) bytes.")
    }
}
