import NIOCore

/// Holds back the server's "stop" (NIO's quiesce event) from an HTTP/1.1 connection for a moment.
///
/// When the server stops, it closes its listening socket and tells every connection to quiesce; one between
/// requests closes at once. A balancer that opened a connection just before, or picked one from its keep-alive
/// pool, may have its request on the way: closed under it, the request is lost, and a balancer does not retry a
/// POST. Held back for `grace`, such a request arrives first and is answered (with `Connection: close`, the node
/// being in its drain), then the connection closes; new connections are refused meanwhile, which a balancer does
/// retry elsewhere.
final class QuiesceGrace: ChannelInboundHandler, RemovableChannelHandler {
    /// Reads pass through untouched.
    typealias InboundIn = Any

    private let grace: TimeAmount

    init(grace: TimeAmount) {
        self.grace = grace
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: grace) {
            bound.value.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
    }
}
