import Foundation
import HTTPTypes
import Hummingbird

/// The headers every answer carries: the security headers, and `Cache-Control: no-store` on what belongs
/// to one shopper or one staff key.
struct ResponseHeadersMiddleware: RouterMiddleware {
    typealias Context = AtelierRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        if context.match.route?.isPrivate == true {
            // One shopper's cart, checkout or order, or what a staff key may see: nobody else's.
            response.headers[.cacheControl] = "no-store"
        }
        // The OpenAPI runtime writes a header a handler returns URI-encoded (`"` as `%22`); `ETag` and
        // `Cache-Control` are sent as the plain tokens HTTP defines (ours never hold a `%` of their own).
        for name in [HTTPField.Name.eTag, .cacheControl] {
            if let value = response.headers[name], value.contains("%"), let plain = value.removingPercentEncoding {
                response.headers[name] = plain
            }
        }
        SecurityHeaders.apply(to: &response.headers)
        return response
    }
}
