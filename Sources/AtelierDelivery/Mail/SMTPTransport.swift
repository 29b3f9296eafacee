import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Sends through an SMTP relay over SwiftNIO: EHLO, STARTTLS (certificate and host name checked), AUTH PLAIN,
/// MAIL FROM, RCPT TO, DATA with dot-stuffing, QUIT. One connection per message.
public struct SMTPTransport: MailTransport {
    public let settings: SMTPSettings
    public var heloName: String = "atelier.local"
    public var timeout: Duration = .seconds(30)
    public static let connectTimeout: Duration = .seconds(10)
    /// Connecting, then the whole exchange.
    public var longestSend: Duration { Self.connectTimeout + timeout }

    public init(settings: SMTPSettings) { self.settings = settings }

    public func send(_ message: MailMessage) async throws -> String {
        let tls = settings.security == .none ? nil : try makeTLSContext()
        let (stream, continuation) = AsyncStream<String>.makeStream()
        let implicit = settings.security == .implicitTLS
        // SNI takes names only; for an address the certificate is checked against the address connected to.
        let host: String? = AddressGuard.isLiteralAddress(settings.host) ? nil : settings.host
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.nanoseconds(Self.connectTimeout.nanoseconds))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if implicit, let tls {
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: host))
                    }
                    try channel.pipeline.syncOperations.addHandler(SMTPLineHandler(continuation))
                }
            }
            .connect(host: settings.host, port: settings.port).get()
        var session = Session(channel: channel, lines: stream.makeAsyncIterator(), timeout: timeout)
        // A relay that stops answering is cut off: the pending reply then fails as a closed connection.
        let deadline = channel.eventLoop.scheduleTask(in: .nanoseconds(timeout.nanoseconds)) { channel.close(promise: nil) }
        defer { deadline.cancel() }
        do {
            let reply = try await exchange(message, session: &session, tls: tls)
            channel.close(promise: nil)
            return reply
        } catch {
            channel.close(promise: nil)
            throw error
        }
    }

    func makeTLSContext() throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let caFile = settings.caFile { configuration.trustRoots = .file(caFile) }
        return try NIOSSLContext(configuration: configuration)
    }

    struct Session {
        let channel: any Channel
        var lines: AsyncStream<String>.AsyncIterator
        let timeout: Duration
        /// Lines taken from the stream so far; the line handler counts the lines it put in.
        var linesRead = 0

        /// One reply, multi-line ones (`250-…`) joined.
        mutating func reply() async throws -> (code: Int, text: String) {
            var text: [String] = []
            while true {
                guard let line = await lines.next() else { throw SMTPError(code: nil, message: "the server closed the connection") }
                linesRead += 1
                guard line.count >= 3, let code = Int(line.prefix(3)) else { throw SMTPError(code: nil, message: "unreadable reply: \(line.prefix(80))") }
                text.append(String(line.dropFirst(4)))
                if line.count == 3 || line[line.index(line.startIndex, offsetBy: 3)] == " " { return (code, text.joined(separator: "\n")) }
            }
        }

        mutating func command(_ line: String, expect: Set<Int>) async throws -> (code: Int, text: String) {
            try await channel.writeAndFlush(ByteBuffer(string: line + "\r\n")).get()
            let answer = try await reply()
            guard expect.contains(answer.code) else {
                let shown = line.hasPrefix("AUTH") ? "AUTH" : String(line.prefix(40))
                throw SMTPError(code: answer.code, message: "\(shown) → \(answer.text.prefix(200))")
            }
            return answer
        }
    }

    func exchange(_ message: MailMessage, session: inout Session, tls: NIOSSLContext?) async throws -> String {
        let greeting = try await session.reply()
        guard greeting.code == 220 else { throw SMTPError(code: greeting.code, message: "greeting: \(greeting.text.prefix(200))") }
        var capabilities = try await session.command("EHLO \(heloName)", expect: [250]).text.uppercased()
        if settings.security == .startTLS, let tls {
            guard capabilities.contains("STARTTLS") else { throw SMTPError(code: nil, message: "the server does not offer STARTTLS") }
            _ = try await session.command("STARTTLS", expect: [220])
            let (channel, host, read) = (session.channel, AddressGuard.isLiteralAddress(settings.host) ? nil : settings.host, session.linesRead)
            // Anything the server sent after its 220 came before TLS, where anyone on the path could have
            // written it (STARTTLS command injection); read after the handshake it would pass for encrypted
            // answers. The check and the TLS handler go in on the event loop in one step, so no byte can
            // arrive between them; a connection with such bytes is given up.
            try await channel.eventLoop.submit {
                let lines = try channel.pipeline.syncOperations.handler(type: SMTPLineHandler.self)
                guard !lines.hasBuffered(beyond: read) else {
                    throw SMTPError(code: nil, message: "the server sent data after its STARTTLS answer, before TLS; connection refused")
                }
                try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: host), position: .first)
            }.get()
            capabilities = try await session.command("EHLO \(heloName)", expect: [250]).text.uppercased()
        }
        if let username = settings.username {
            guard settings.security != .none else { throw SMTPError(code: nil, message: "refusing to send a password without TLS") }
            _ = capabilities
            let token = Data("\u{0}\(username)\u{0}\(settings.password ?? "")".utf8).base64EncodedString()
            _ = try await session.command("AUTH PLAIN \(token)", expect: [235])
        }
        _ = try await session.command("MAIL FROM:<\(MailMessage.address(of: message.from))>", expect: [250])
        _ = try await session.command("RCPT TO:<\(MailMessage.address(of: message.to))>", expect: [250, 251])
        _ = try await session.command("DATA", expect: [354])
        // Dot-stuffing: a line that starts with "." gets another.
        let body = message.mime().split(separator: "\r\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(".") ? "." + $0 : String($0) }.joined(separator: "\r\n")
        let accepted = try await session.command(body + ".", expect: [250])
        _ = try? await session.command("QUIT", expect: [221])
        return "250 \(accepted.text.prefix(120))"
    }
}
