import NIOCore
import NIOPosix

/// A TCP server on 127.0.0.1 for tests that need a peer speaking a protocol by hand: every accepted
/// connection gets a fresh handler from `makeHandler`.
struct LoopbackServer: Sendable {
    let channel: any Channel

    var port: Int { channel.localAddress?.port ?? 0 }

    static func start(_ makeHandler: @escaping @Sendable () -> any ChannelHandler) async throws -> LoopbackServer {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(makeHandler())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return LoopbackServer(channel: channel)
    }

    func stop() {
        channel.close(promise: nil)
    }
}
