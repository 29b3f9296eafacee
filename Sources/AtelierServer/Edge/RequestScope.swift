import Atelier
import Logging
import NIOCore

/// What the edge learned about the request, for handlers generated from the contract, which see only
/// their typed input.
struct RequestScope: Sendable {
    var requestID: String
    var logger: Logger
    /// The API key that authenticated the call, for operations that need one.
    var apiKey: APIKey?
    /// The shopper's cart key: the `X-Session-Key` header, else the `atelier_session` cookie.
    var sessionKey: String?
    /// The request body exactly as received, for signatures computed over the raw bytes (webhooks).
    var rawBody: ByteBuffer?

    @TaskLocal static var current: RequestScope?
}
