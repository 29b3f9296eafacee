import Foundation
import Atelier
import HTTPTypes
import Hummingbird

/// The shopper's cart key: from `X-Session-Key` (API clients) or the `atelier_session` cookie (browsers),
/// checked for length; a key a new cart was given goes back to browsers as the cookie too.
struct SessionKeyMiddleware: RouterMiddleware {
    typealias Context = AtelierRequestContext
    /// How long the cookie lives: as long as a cart.
    let cartTTL: TimeInterval

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard context.match.route != nil else { return try await next(request, context) }
        if let header = request.headers[.sessionKey], !(1...200).contains(header.unicodeScalars.count) {
            throw AtelierError(.badRequest, code: .invalidSessionKey, title: "Invalid session key",
                               detail: "X-Session-Key must be 1–200 characters: the key answered by POST /cart/items; leave it out to start a cart.")
        }
        var context = context
        context.sessionKey = SessionCookie.key(from: request.headers)
        var response = try await next(request, context)
        if let minted = response.headers[.sessionKey] {
            response.headers.append(HTTPField(name: .setCookie, value: SessionCookie.header(minted, maxAge: cartTTL)))
        }
        return response
    }
}
