import Foundation
import Atelier
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The request context of every call: Hummingbird's core storage and the peer's address (rate limits).
struct AtelierRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
