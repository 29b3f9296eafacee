@testable import Atelier
@testable import AtelierCore
@testable import AtelierAssets
@testable import AtelierCatalog
@testable import AtelierCustomization
@testable import AtelierCommerce
@testable import AtelierDelivery
@testable import AtelierInsights
@testable import AtelierPrivacy
@testable import AtelierAccess
import Foundation
import NIOCore
import Synchronization
import Testing

/// A relay, or a man in the middle, that answers STARTTLS with `220 ready` and, in the same write, a forged
/// `250 fake`: plaintext that must never be read as an answer once TLS is up. Whatever the client sends
/// after that (a TLS handshake, if it went on) is counted, and the connection is then closed.
final class InjectingRelay: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    final class Record: Sendable {
        private let state = Mutex<(injected: Bool, bytesAfter: Int)>((false, 0))
        var injected: Bool { state.withLock { $0.injected } }
        var bytesAfter: Int { state.withLock { $0.bytesAfter } }
        func inject() { state.withLock { $0.injected = true } }
        func received(_ count: Int) { state.withLock { $0.bytesAfter += count } }
    }

    private let record: Record
    private var text = ""
    private var injected = false

    init(_ record: Record) { self.record = record }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(Self.wrapOutboundOut(ByteBuffer(string: "220 relay.test ESMTP\r\n")), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = Self.unwrapInboundIn(data)
        guard !injected else {
            record.received(buffer.readableBytes)
            context.close(promise: nil)
            return
        }
        text += buffer.readString(length: buffer.readableBytes) ?? ""
        while let end = text.range(of: "\r\n") {
            let line = text[..<end.lowerBound].uppercased()
            text = String(text[end.upperBound...])
            if line.hasPrefix("EHLO") {
                context.writeAndFlush(Self.wrapOutboundOut(ByteBuffer(string: "250-relay.test\r\n250 STARTTLS\r\n")), promise: nil)
            } else if line == "STARTTLS" {
                injected = true
                record.inject()
                context.writeAndFlush(Self.wrapOutboundOut(ByteBuffer(string: "220 ready\r\n250 fake\r\n")), promise: nil)
                return
            } else {
                context.writeAndFlush(Self.wrapOutboundOut(ByteBuffer(string: "502 not here\r\n")), promise: nil)
            }
        }
    }
}

@Suite struct SMTPStartTLSTests {
    @Test func bytesSentBeforeTLSAfterTheStartTLSAnswerEndTheConnection() async throws {
        let record = InjectingRelay.Record()
        let relay = try await LoopbackServer.start { InjectingRelay(record) }
        defer { relay.stop() }
        var transport = SMTPTransport(settings: SMTPSettings(host: "127.0.0.1", port: relay.port, security: .startTLS))
        transport.timeout = .seconds(60)  // generous: the whole suite runs beside it
        let message = MailMessage(from: "Shop <orders@shop.example>", to: "ada@example.com", subject: "Your order", text: "Thanks",
                                  html: "<p>Thanks</p>", messageId: "<evt_1@shop.example>", date: Date())
        do {
            let reply = try await transport.send(message)
            Issue.record("the message was sent: \(reply)")
        } catch let error as SMTPError {
            #expect(error.message.contains("before TLS"), "\(error)")
        }
        #expect(record.injected)
        // The client gave up at once: no handshake, no command, nothing after the forged answer.
        #expect(record.bytesAfter == 0)
    }
}
