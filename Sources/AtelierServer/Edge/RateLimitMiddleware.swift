import Hummingbird

/// Counts each public call against its client's allowance (`RateLimiter`): 429 before the body is read, and
/// the allowance left on every answer of a limited route.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = AtelierRequestContext
    let limiter: RateLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard limiter.isEnabled, let kind = context.match.route?.rateLimit else { return try await next(request, context) }
        let keys = limiter.keys(remoteAddress: context.remoteAddress, headers: request.headers,
                                sessionKey: SessionCookie.key(from: request.headers))
        guard let decision = limiter.take(kind, keys: keys) else { return try await next(request, context) }
        var response = decision.allowed
            ? try await next(request, context)
            : ProblemMapper.response(for: RateLimiter.refusal(decision), context: context)
        RateLimiter.apply(decision, to: &response.headers)
        return response
    }
}
