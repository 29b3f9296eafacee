import Hummingbird

/// Lets the storefront's own origins call from a browser (`CORSPolicy`): answers their preflights and
/// marks every answer for them; without configured origins it adds nothing.
struct CORSMiddleware: RouterMiddleware {
    typealias Context = AtelierRequestContext
    let policy: CORSPolicy

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !policy.origins.isEmpty else { return try await next(request, context) }
        let origin = request.headers[.origin].flatMap { policy.allows($0) ? $0 : nil }
        var response: Response
        if request.method == .options, let origin, request.headers[.accessControlRequestMethod] != nil,
           case .methodNotAllowed(_, let allowed) = context.match {
            response = policy.preflight(origin: origin, methods: allowed)
        } else {
            response = try await next(request, context)
        }
        policy.apply(to: &response.headers, origin: origin)
        return response
    }
}
