import Hummingbird

/// Matches the request against the contract's routes, once: every later middleware reads the match (roles,
/// rate limit, body limit, caches), and `OperationRouter` at the end calls its operation or answers 404/405.
struct RoutingMiddleware: RouterMiddleware {
    typealias Context = AtelierRequestContext
    let routes: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.match = routes.match(method: request.method, path: request.uri.path[...])
        return try await next(request, context)
    }
}
