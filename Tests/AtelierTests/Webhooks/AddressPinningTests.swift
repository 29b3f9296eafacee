import AsyncHTTPClient
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
import AtelierTestSupport
import Foundation
import Logging
import NIOCore
import Synchronization
import Testing

/// An HTTP receiver's side of one connection: answers every request 204 and records its head.
final class RecordingReceiver: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// The heads received on every connection (request line and headers).
    final class Heads: Sendable {
        private let heads = Mutex<[String]>([])
        var all: [String] { heads.withLock { $0 } }
        func append(_ head: String) { heads.withLock { $0.append(head) } }
    }

    private let heads: Heads
    private var received = ""

    init(_ heads: Heads) { self.heads = heads }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = Self.unwrapInboundIn(data)
        received += buffer.readString(length: buffer.readableBytes) ?? ""
        guard let end = received.range(of: "\r\n\r\n") else { return }
        let head = String(received[..<end.lowerBound])
        let length = head.split(separator: "\r\n").lazy
            .compactMap { line -> Int? in
                let parts = line.split(separator: ":", maxSplits: 1)
                guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
                return Int(parts[1].trimmingCharacters(in: .whitespaces))
            }.first ?? 0
        guard received[end.upperBound...].utf8.count >= length else { return }
        received = ""
        heads.append(head)
        context.writeAndFlush(Self.wrapOutboundOut(ByteBuffer(string: "HTTP/1.1 204 No Content\r\n\r\n")), promise: nil)
    }
}

@Suite struct AddressPinningTests {
    @Test func addressesWrittenInsideIPv6OnesAreJudgedByTheirIPv4Address() {
        let guardrail = AddressGuard(allowPrivate: false)
        for url in ["http://[::127.0.0.1]/", "http://[::ffff:7f00:1]/", "http://[::ffff:127.0.0.1]/", "http://[::10.0.0.1]/",
                    "http://[::a9fe:a9fe]/", "http://[::ffff:0:127.0.0.1]/", "http://[64:ff9b::127.0.0.1]/",
                    "http://[64:ff9b::a9fe:a9fe]/", "http://[64:ff9b:1::1]/", "http://[2002:7f00:1::1]/", "http://[2002:c0a8:101::1]/",
                    "http://[fec0::1]/", "http://[::]/", "http://[::1]/"] {
            guard case .refused = guardrail.check(url) else {
                Issue.record("\(url) was allowed")
                continue
            }
        }
        // The same forms around a public IPv4 address are public.
        for url in ["http://[::ffff:93.184.216.34]/", "http://[64:ff9b::5db8:d822]/", "http://[2606:4700:4700::1111]/"] {
            #expect(guardrail.check(url) == .allowed, "\(url)")
        }
    }

    @Test func vettingNamesTheAddressToConnectTo() {
        var guardrail = AddressGuard(allowPrivate: false)
        guardrail.resolver = { host in
            switch host {
            case "partner.example": [.v6([0x26, 0x06, 0x47, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x11, 0x11]), .v4([93, 184, 216, 34])]
            case "v6only.example": [.v6([0x26, 0x06, 0x47, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x11, 0x11])]
            case "split.example": [.v4([93, 184, 216, 34]), .v4([10, 0, 0, 1])]
            case "mapped.example": [.v6([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 127, 0, 0, 1])]
            default: []
            }
        }
        // Of several vetted addresses, an IPv4 one (reachable from nearly every server).
        #expect(guardrail.vet("https://partner.example/hook") == .allowed(host: "partner.example", address: .v4([93, 184, 216, 34])))
        #expect(guardrail.vet("https://v6only.example/hook")
            == .allowed(host: "v6only.example", address: .v6([0x26, 0x06, 0x47, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x11, 0x11])))
        // One internal answer among public ones refuses the name: the connection could otherwise land on it.
        guard case .refused = guardrail.vet("https://split.example/hook"), case .refused = guardrail.vet("https://mapped.example/hook"),
              case .refused = guardrail.vet("https://nowhere.example/hook")
        else {
            Issue.record("a name with an internal or no address was allowed")
            return
        }
        // An address literal is connected to as written.
        #expect(guardrail.vet("https://93.184.216.34/hook") == .allowed(host: "93.184.216.34", address: nil))
    }

    @Test func aDeliveryConnectsToTheAddressItVettedNotToASecondLookup() async throws {
        let heads = RecordingReceiver.Heads()
        let receiver = try await LoopbackServer.start { RecordingReceiver(heads) }
        defer { receiver.stop() }
        // `.invalid` never resolves through DNS: only a client that connects to the vetted address reaches the receiver.
        let url = "http://receiver.invalid:\(receiver.port)/hook"
        try await TestDatabase.with { database in
            let subscriptions = WebhookSubscriptionStore(cipher: .random(), guardrail: AddressGuard(allowPrivate: true))
            let (subscription, _) = try await database.transaction { db in
                try await subscriptions.create(.init(url: url, eventTypes: ["order.created"]), on: db)
            }
            try await database.transaction { db in
                try await Outbox.record("order.created", aggregateId: "ord_pinned", data: ["n": "1"], at: Date(), on: db)
            }
            let settings = WebhookSettings(allowPrivateTargets: true, workers: 1, retry: DeliveryRetryPolicy(delays: [60]))
            var partners = PartnerWebhookChannel(settings: settings)
            partners.addressGuard.resolver = { host in host == "receiver.invalid" ? [.v4([127, 0, 0, 1])] : [] }
            let service = EventDeliveryService(database: database, subscriptions: subscriptions, settings: settings, channels: [partners],
                                               logger: Logger(label: "test"))
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            let worked = try await service.runOne(worker: "w", client: client)
            try await client.shutdown()
            #expect(worked)
            let delivered = try await database.withConnection { db in
                try await EventDeliveryStore().list(subscriptionId: subscription.id, status: .succeeded, page: .init(limit: 10), on: db)
            }
            #expect(delivered.items.count == 1, "\(delivered.items.map { $0.lastError ?? "" })")
            // The receiver saw the name, not the address, in Host.
            let head = try #require(heads.all.first)
            #expect(head.hasPrefix("POST /hook HTTP/1.1"))
            #expect(head.split(separator: "\r\n").contains { $0.lowercased() == "host: receiver.invalid:\(receiver.port)" }, "\(head)")
        }
    }
}
