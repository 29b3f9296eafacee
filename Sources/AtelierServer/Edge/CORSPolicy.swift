import Foundation
import Atelier
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Cross-origin calls from the storefront's own origins. Origins are compared exactly (scheme, host and
/// port); an allowed one gets its origin echoed with credentials (the cart cookie), the headers a storefront
/// reads exposed, and preflights answered. Every answer varies by `Origin` once any origin is configured, so
/// a shared cache never hands one origin's answer to another.
struct CORSPolicy: Sendable {
    let origins: Set<String>
    static let allowedHeaders = "Content-Type, Authorization, X-Session-Key, Idempotency-Key, X-Access-Token, If-None-Match, X-Request-Id"
    static let exposedHeaders = "X-Session-Key, X-Request-Id, ETag, Retry-After, Location, RateLimit-Policy, RateLimit, "
        + "RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset"

    func allows(_ origin: String) -> Bool { origins.contains(origin) }

    func preflight(origin: String, methods: [HTTPRequest.Method]) -> Response {
        var headers: HTTPFields = [:]
        headers[.accessControlAllowMethods] = methods.map(\.rawValue).joined(separator: ", ")
        headers[.accessControlAllowHeaders] = Self.allowedHeaders
        headers[.accessControlMaxAge] = "600"
        return Response(status: .noContent, headers: headers)
    }

    func apply(to headers: inout HTTPFields, origin: String?) {
        guard !origins.isEmpty else { return }
        headers.append(HTTPField(name: .vary, value: "Origin"))
        guard let origin else { return }
        headers[.accessControlAllowOrigin] = origin
        headers[.accessControlAllowCredentials] = "true"
        headers[.accessControlExposeHeaders] = Self.exposedHeaders
    }
}
