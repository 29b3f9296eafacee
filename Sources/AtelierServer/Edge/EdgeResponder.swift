import Hummingbird

/// Every request's way through the service: the edge's middleware, composed in `EdgeChain` in the
/// documented order, then `OperationRouter`, which calls the operation of the matched route.
struct EdgeResponder<Chain: MiddlewareProtocol>: HTTPResponder
where Chain.Input == Request, Chain.Output == Response, Chain.Context == AtelierRequestContext {
    typealias Context = AtelierRequestContext

    let chain: Chain
    let router: OperationRouter

    func respond(to request: Request, context: Context) async throws -> Response {
        try await chain.handle(request, context: context) { request, context in
            try await router.respond(to: request, context: context)
        }
    }
}
