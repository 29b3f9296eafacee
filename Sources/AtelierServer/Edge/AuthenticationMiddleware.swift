import Atelier
import Hummingbird

/// Who may call: the operation's roles from the contract against the bearer API key (401/403), and
/// `/metrics` for the bearer of its token or this machine (`MetricsAccess`).
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = AtelierRequestContext
    let authenticator: Authenticator
    let metricsAccess: MetricsAccess

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let route = context.match.route else { return try await next(request, context) }
        if route.template == "/metrics",
           !metricsAccess.allows(remoteAddress: context.remoteAddress, authorization: request.headers[.authorization]) {
            throw MetricsAccess.refusal
        }
        guard let roles = route.roles else { return try await next(request, context) }
        var context = context
        let key = try await authenticator.authorize(request.headers[.authorization], roles: roles)
        context.apiKey = key
        context.logger[metadataKey: "api_key_id"] = .string(key.id)
        return try await next(request, context)
    }
}
