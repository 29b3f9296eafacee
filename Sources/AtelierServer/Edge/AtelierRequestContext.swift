import Atelier
import Hummingbird
import Logging
import NIOCore

/// The request context of every call: Hummingbird's core storage, the peer's address (rate limits), and
/// what the edge's middleware learns on the way in, each field set by one of them.
struct AtelierRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?
    /// Whether the request came on an HTTP/2 stream (a channel within the connection's channel), where a
    /// connection is never closed by one answer.
    let multiplexed: Bool
    /// Set by `RequestIDMiddleware`.
    var requestID = ""
    /// Set by `RoutingMiddleware`.
    var match = RouteTable.Match.notFound
    /// The body as received, set by `BodyLimitMiddleware` (empty for uploads, which stream).
    var rawBody = ByteBuffer()
    /// The shopper's cart key, set by `SessionKeyMiddleware`.
    var sessionKey: String?
    /// The API key that authenticated the call, set by `AuthenticationMiddleware`.
    var apiKey: APIKey?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        multiplexed = source.channel.parent?.parent != nil
    }
}
