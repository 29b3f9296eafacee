import Hummingbird

/// Refuses a target or headers longer than any honest client sends (414/431), before anything below (the
/// rate limiter, a cache, the cookie parser) keys a map on them.
struct RequestSizeMiddleware: RouterMiddleware {
    typealias Context = AtelierRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            try RequestSize.check(request)
        } catch {
            return ProblemMapper.response(for: error, context: context)
        }
        return try await next(request, context)
    }
}
