import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The small HTTP helper both gateways use: bounded bodies, timeouts, transient vs final failures.
struct ProviderHTTP: Sendable {
    let provider: PaymentProviderKind
    /// The client to send through, asked for at each call (a pool made on first use may be shut down by then).
    let client: @Sendable () throws -> HTTPClient
    var timeout: Duration

    init(provider: PaymentProviderKind, client: HTTPClient, timeout: Duration) {
        self.init(provider: provider, timeout: timeout) { client }
    }

    init(provider: PaymentProviderKind, timeout: Duration, client: @escaping @Sendable () throws -> HTTPClient) {
        self.provider = provider
        self.client = client
        self.timeout = timeout
    }

    func send(_ method: HTTPMethod, _ url: String, headers: [(String, String)], body: [UInt8]?) async throws(PaymentGatewayError)
        -> (status: Int, body: [UInt8]) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        do {
            let response = try await client().execute(request, timeout: .nanoseconds(timeout.nanoseconds))
            let bytes = try await response.body.collect(upTo: 1_048_576)
            return (Int(response.status.code), Array(bytes.readableBytesView))
        } catch {
            throw PaymentGatewayError(provider: provider, status: nil, code: "network_error", message: String(describing: error), transient: true)
        }
    }

    /// Status classes every provider shares: 429 and 5xx may pass later; other 4xx will not.
    func failure(status: Int, code: String, message: String) -> PaymentGatewayError {
        PaymentGatewayError(provider: provider, status: status, code: code, message: String(message.prefix(300)),
                            transient: status == 429 || status >= 500 || status == 409)
    }
}
