import HTTPTypes
import Hummingbird
import Tracing

/// One server span per request, named by the route's template (`POST /checkout/{checkoutId}/test-payment`),
/// continuing the caller's trace when the request carries a W3C `traceparent`. Everything the request does runs
/// inside it: the database work, the provider calls (their client spans carry the trace on), and the outbox
/// events and jobs it writes (they keep the trace for the work done later). Off, it costs one branch.
struct TracingMiddleware: RouterMiddleware {
    typealias Context = AtelierRequestContext
    let enabled: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard enabled else { return try await next(request, context) }
        var parent = ServiceContext.topLevel
        InstrumentationSystem.instrument.extract(request.headers, into: &parent, using: HTTPFieldsExtractor())
        let route = context.match.label
        return try await withSpan("\(request.method.rawValue) \(route)", context: parent, ofKind: .server) { span in
            span.attributes["http.request.method"] = request.method.rawValue
            span.attributes["http.route"] = route
            span.attributes["url.path"] = request.uri.path
            span.attributes["atelier.request_id"] = context.requestID
            do {
                let response = try await next(request, context)
                span.attributes["http.response.status_code"] = Int64(response.status.code)
                if response.status.code >= 500 { span.setStatus(.init(code: .error)) }
                return response
            } catch let error as any HTTPResponseError {
                span.attributes["http.response.status_code"] = Int64(error.status.code)
                if error.status.code >= 500 { span.setStatus(.init(code: .error)) }
                throw error
            }
        }
    }
}

/// Reads propagation headers (`traceparent`, `tracestate`) from a request's fields.
struct HTTPFieldsExtractor: Extractor {
    func extract(key: String, from carrier: HTTPFields) -> String? {
        guard let name = HTTPField.Name(key) else { return nil }
        return carrier[name]
    }
}
