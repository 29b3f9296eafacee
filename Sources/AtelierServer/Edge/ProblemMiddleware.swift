import Hummingbird

/// Turns whatever the layers below throw into an `application/problem+json` answer (`ProblemMapper`); an
/// unexpected error is logged with the request and answered 500 without its details.
///
/// The middleware above it answer their own refusals, so everything they add to an answer (the request id,
/// the allowance, CORS, security headers, metrics) is on problems too.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = AtelierRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return ProblemMapper.response(for: error, context: context, request: request)
        }
    }
}
