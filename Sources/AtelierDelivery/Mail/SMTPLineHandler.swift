import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Splits the byte stream into CRLF-terminated lines.
final class SMTPLineHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let continuation: AsyncStream<String>.Continuation
    private var pending = ""
    /// Lines handed to the session so far.
    private(set) var linesYielded = 0

    init(_ continuation: AsyncStream<String>.Continuation) { self.continuation = continuation }

    /// Whether bytes arrived that the session has not read, when it has read `read` lines: lines waiting in
    /// the stream, or the start of one. On the event loop only.
    func hasBuffered(beyond read: Int) -> Bool {
        linesYielded > read || !pending.isEmpty
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        pending += buffer.readString(length: buffer.readableBytes) ?? ""
        while let end = pending.range(of: "\r\n") {
            continuation.yield(String(pending[..<end.lowerBound]))
            linesYielded += 1
            pending = String(pending[end.upperBound...])
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        continuation.finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        continuation.finish()
        context.close(promise: nil)
    }
}
