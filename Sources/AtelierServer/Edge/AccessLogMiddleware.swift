import Hummingbird
import Logging

/// Measures and logs every answer once, labelled by the route's template (never the raw path, which would
/// make one series per product). Health checks and scrapes log at debug level.
struct AccessLogMiddleware: RouterMiddleware {
    typealias Context = AtelierRequestContext
    let metrics: HTTPMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - started
        let route = context.match.label
        metrics.record(method: request.method, route: route, status: response.status.code, duration: elapsed)
        let level: Logger.Level = route.hasPrefix("/health/") || route == "/metrics" ? .debug : .info
        context.logger.log(level: level, "request", metadata: [
            "method": .string(request.method.rawValue),
            "route": .string(route),
            "status": .stringConvertible(response.status.code),
            "duration_ms": .stringConvertible(elapsed.milliseconds),
        ])
        return response
    }
}
