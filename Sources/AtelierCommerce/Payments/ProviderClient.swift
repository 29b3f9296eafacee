import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AsyncHTTPClient
import NIOCore
import ServiceLifecycle
import Synchronization

/// An HTTP client for calls to payment providers, with bounded waits, closed when the server stops.
///
/// The server makes two: one for payments and refunds, and a small one that asks providers whether a
/// webhook delivery is genuine. Anyone can post to the provider webhooks, so those calls get their own
/// pool with shorter timeouts: however many arrive, they never hold the connections that checkouts and
/// refunds need.
///
/// Connecting gives up after a few seconds, so a provider that cannot be reached fails a call quickly
/// (502, retried with the same idempotency key) instead of holding a request, and with it the server's
/// graceful shutdown. The client is made on first use. As a service listed before the HTTP server, it
/// stops after the server has finished its requests: calls still in flight then are cancelled, and
/// later calls fail as the provider being away.
public final class ProviderClient: Service, Sendable {
    /// Connections per provider host at most; further calls wait for one (within their own timeout).
    public let maxConnections: Int
    public let connectTimeout: Duration
    public let readTimeout: Duration

    private enum State {
        case idle
        case running(HTTPClient)
        case closed
    }

    private let state = Mutex<State>(.idle)

    public init(maxConnections: Int = 4, connectTimeout: Duration = .seconds(2), readTimeout: Duration = .seconds(5)) {
        self.maxConnections = max(1, maxConnections)
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
    }

    /// For payments and refunds: a shopper or an admin is waiting; every call also has its provider's own
    /// deadline (`StripeSettings.timeout`, `PayPalSettings.timeout`).
    public static func payments() -> ProviderClient {
        ProviderClient(maxConnections: 16, connectTimeout: .seconds(3), readTimeout: .seconds(10))
    }

    /// For webhook verification: small and quick, since anonymous deliveries trigger these calls.
    public static func webhookVerification() -> ProviderClient {
        ProviderClient(maxConnections: 4, connectTimeout: .seconds(2), readTimeout: .seconds(5))
    }

    struct Closed: Error, CustomStringConvertible {
        var description: String { "the payment provider client is shut down" }
    }

    /// The client, made on the first call.
    public func client() throws -> HTTPClient {
        try state.withLock { state throws -> HTTPClient in
            switch state {
            case .running(let client):
                return client
            case .closed:
                throw Closed()
            case .idle:
                let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
                state = .running(client)
                return client
            }
        }
    }

    var configuration: HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .nanoseconds(connectTimeout.nanoseconds), read: .nanoseconds(readTimeout.nanoseconds)))
        configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: maxConnections)
        return configuration
    }

    /// Waits for the service group to stop, then closes the client (if one was made), cancelling the calls
    /// still in flight, and refuses new calls.
    public func run() async throws {
        try? await gracefulShutdown()
        await close()
    }

    /// Closes the client now: calls in flight fail at once, later ones are refused.
    public func close() async {
        let client = state.withLock { state -> HTTPClient? in
            defer { state = .closed }
            if case .running(let client) = state { return client }
            return nil
        }
        try? await client?.shutdown()
    }
}
