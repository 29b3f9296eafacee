import Hummingbird

/// Every request's way through the service: the edge's middleware, composed in `EdgeChain` in the
/// documented order, then `OperationRouter`, which calls the operation of the matched route.
final class EdgeResponder<Chain: MiddlewareProtocol>: HTTPResponder
where Chain.Input == Request, Chain.Output == Response, Chain.Context == AtelierRequestContext {
    typealias Context = AtelierRequestContext

    let chain: Chain
    let router: OperationRouter

    init(chain: Chain, router: OperationRouter) {
        self.chain = chain
        self.router = router
    }

    func respond(to request: Request, context: Context) async throws -> Response {
        try await chain.handle(request, context: context) { request, context in
            try await router.respond(to: request, context: context)
        }
    }
}
