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
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import Testing

/// A provider that accepts connections and never answers (a host that hangs): counts the bytes it was sent.
final class SilentPeer: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    final class Received: Sendable {
        private let count = Mutex(0)
        var bytes: Int { count.withLock { $0 } }
        func add(_ n: Int) { count.withLock { $0 += n } }
    }

    private let received: Received

    init(_ received: Received) { self.received = received }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        received.add(Self.unwrapInboundIn(data).readableBytes)
    }
}

@Suite struct ProviderClientTests {
    static let refund = RefundRequest(paymentRef: "pi_1", amount: 100, currency: "USD", idempotencyKey: "atelier-refund-ord_1")

    /// A Stripe gateway whose own deadline (a minute) is far longer than the client's waits.
    func stripe(_ peer: LoopbackServer, _ client: ProviderClient) -> StripeGateway {
        StripeGateway(settings: StripeSettings(secretKey: "sk_test_silent", apiBase: "http://127.0.0.1:\(peer.port)", timeout: .seconds(60)),
                      client: client)
    }

    @Test func aProviderThatNeverAnswersFailsTheCallWithinTheClientsReadTimeout() async throws {
        let received = SilentPeer.Received()
        let peer = try await LoopbackServer.start { SilentPeer(received) }
        defer { peer.stop() }
        let client = ProviderClient(maxConnections: 2, connectTimeout: .seconds(1), readTimeout: .seconds(1))
        let started = ContinuousClock.now
        do throws(PaymentGatewayError) {
            _ = try await stripe(peer, client).refund(Self.refund)
            Issue.record("a provider that never answered refunded")
        } catch {
            #expect(error.code == "network_error" && error.transient, "\(error)")
        }
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(received.bytes > 0)
        await client.close()
    }

    @Test func stoppingTheClientEndsACallInFlightAtOnce() async throws {
        let received = SilentPeer.Received()
        let peer = try await LoopbackServer.start { SilentPeer(received) }
        defer { peer.stop() }
        // Waits as long as the gateway's deadline: only the client's shutdown can end the call early.
        let client = ProviderClient(maxConnections: 2, connectTimeout: .seconds(1), readTimeout: .seconds(60))
        let gateway = stripe(peer, client)
        let group = ServiceGroup(configuration: .init(services: [client], logger: Logger(label: "provider-client-test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let call = Task { () -> PaymentGatewayError? in
                do throws(PaymentGatewayError) {
                    _ = try await gateway.refund(Self.refund)
                    return nil
                } catch {
                    return error
                }
            }
            // The request reached the provider, which keeps it waiting.
            for _ in 0..<100 where received.bytes == 0 { try await Task.sleep(for: .milliseconds(50)) }
            #expect(received.bytes > 0)
            let stopping = ContinuousClock.now
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            let failure = await call.value
            #expect(failure?.code == "network_error" && failure?.transient == true, "\(String(describing: failure))")
            #expect(ContinuousClock.now - stopping < .seconds(10))
        }
        // Once stopped, the client refuses new calls at once.
        do throws(PaymentGatewayError) {
            _ = try await gateway.refund(Self.refund)
            Issue.record("a stopped client made a call")
        } catch {
            #expect(error.code == "network_error")
        }
    }
}
