import Hummingbird

/// Gives every request an id (the caller's, when it is short and harmless, so traces join up across
/// services): in the logger's metadata, in every problem body and in the `X-Request-Id` answer header.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = AtelierRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let id = RequestIDs.accept(request.headers[.requestID]) ?? RequestIDs.make()
        context.requestID = id
        context.logger[metadataKey: "request_id"] = .string(id)
        var response = try await next(request, context)
        response.headers[.requestID] = id
        return response
    }
}
