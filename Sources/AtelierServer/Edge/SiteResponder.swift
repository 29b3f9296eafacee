import Hummingbird

/// The whole site: `/console` to the operator console (when it is on), `/demo/` to the demo catalog's pictures,
/// everything else to the API's edge.
/// Both get a request id and are measured and logged alike. Responders are classes: a request's async frames then
/// hold one reference to them, not a copy of every store and middleware they keep.
final class SiteResponder<Chain: MiddlewareProtocol>: HTTPResponder
where Chain.Input == Request, Chain.Output == Response, Chain.Context == AtelierRequestContext {
    typealias Context = AtelierRequestContext

    let api: EdgeResponder<Chain>
    let console: ConsoleResponder?
    let demoImages: DemoImages
    let metrics: HTTPMetrics
    /// `Strict-Transport-Security` for every answer, when the server speaks TLS itself.
    let hsts: String?
    let readiness: Readiness

    init(api: EdgeResponder<Chain>, console: ConsoleResponder?, demoImages: DemoImages, metrics: HTTPMetrics, hsts: String?,
         readiness: Readiness) {
        self.api = api
        self.console = console
        self.demoImages = demoImages
        self.metrics = metrics
        self.hsts = hsts
        self.readiness = readiness
    }

    func respond(to request: Request, context: Context) async throws -> Response {
        var response = try await route(request, context: context)
        if let hsts { response.headers[.strictTransportSecurity] = hsts }
        // Once the node stops accepting, an HTTP/1.1 client (a balancer keeping connections open) is told to close
        // the connection after this answer, so that it opens a new one, which is refused, and goes elsewhere, instead
        // of sending its next request on a connection as it closes. Not during the drain: new connections accepted
        // as the listening socket closes are what must be few. (HTTP/2 has no `Connection` field; GOAWAY does it.)
        if readiness.isStopping, !context.multiplexed { response.headers[.connection] = "close" }
        return response
    }

    private func route(_ request: Request, context: Context) async throws -> Response {
        if DemoImages.owns(request.uri.path) {
            return try await measured(request, context: context, label: "/demo/{name}") { [demoImages] request, context in demoImages.respond(to: request, requestID: context.requestID) }
        }
        guard let console, ConsoleRoute.owns(request.uri.path) else {
            return try await api.respond(to: request, context: context)
        }
        let route = ConsoleRoute(method: request.method, path: request.uri.path)
        return try await measured(request, context: context, label: route?.label ?? "/console/unmatched") { request, context in
            await console.respond(to: request, context: context, route: route)
        }
    }

    /// An answer outside the API's edge, with a request id, measured and logged as the API's are.
    private func measured(_ request: Request, context: Context, label: String,
                          _ answer: @escaping @Sendable (Request, Context) async -> Response) async throws -> Response {
        let middleware = RequestIDMiddleware()
        return try await middleware.handle(request, context: context) { request, context in
            let started = ContinuousClock.now
            let response = await answer(request, context)
            let elapsed = ContinuousClock.now - started
            metrics.record(method: request.method, route: label, status: response.status.code, duration: elapsed)
            context.logger.info("request", metadata: [
                "method": .string(request.method.rawValue), "route": .string(label),
                "status": .stringConvertible(response.status.code), "duration_ms": .stringConvertible(elapsed.milliseconds),
            ])
            return response
        }
    }
}
