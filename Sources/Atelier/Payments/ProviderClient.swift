import AsyncHTTPClient
import NIOCore
import ServiceLifecycle
import Synchronization

/// The HTTP client that asks payment providers whether a webhook delivery is genuine.
///
/// Anyone can post to the provider webhooks, so these calls get their own small pool with short
/// timeouts: however many arrive, they never hold the connections that checkouts and refunds need. The
/// client is made on first use and shut down when the service group stops; later calls fail as the
/// provider being away (502, and the provider delivers again).
public final class ProviderWebhookClient: Service, Sendable {
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

    struct Closed: Error, CustomStringConvertible {
        var description: String { "the webhook verification client is shut down" }
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

    /// Waits for the service group to stop, then closes the client (if one was made) and refuses new calls.
    public func run() async throws {
        try? await gracefulShutdown()
        let client = state.withLock { state -> HTTPClient? in
            defer { state = .closed }
            if case .running(let client) = state { return client }
            return nil
        }
        try? await client?.shutdown()
    }
}
