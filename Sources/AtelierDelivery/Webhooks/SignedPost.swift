import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A delivery as one HTTP `POST` with the Standard Webhooks headers, shared by the channels that speak HTTP
/// (partners, the fulfillment service): the request and its signatures, the client's settings (no
/// redirects, the connect timeout), the send with the total timeout, the start of the answer and its
/// `Retry-After`. Never throws: every failure is a result.
struct SignedPost: Sendable {
    let settings: WebhookSettings
    private let clock: WallClock

    init(settings: WebhookSettings, clock: WallClock = .system) {
        self.settings = settings
        self.clock = clock
    }

    /// The delivery client's settings; `dnsOverride` maps host names to the addresses they must connect to.
    static func clientConfiguration(_ settings: WebhookSettings, dnsOverride: [String: String] = [:]) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,  // a 3xx is a failure, never followed
            timeout: .init(connect: .nanoseconds(settings.connectTimeout.nanoseconds), read: nil))
        configuration.connectionPool = .init(idleTimeout: .seconds(30))
        configuration.dnsOverride = dnsOverride
        return configuration
    }

    /// `payload` to `url`, signed with every live secret under the event id (receivers de-duplicate by it).
    func request(for delivery: EventDelivery, payload: String, to url: String, secrets: [String]) -> HTTPClientRequest {
        let body = Array(payload.utf8)
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Atelier-Webhooks/1")
        for (name, value) in WebhookSigner.headers(secrets: secrets, id: delivery.eventId, timestamp: Int(clock.now.timeIntervalSince1970), body: body) {
            request.headers.add(name: name, value: value)
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        return request
    }

    /// Sends the request and reads the start of the answer; the latency counts from `started` (the start of
    /// the channel's send, its checks included).
    func send(_ request: HTTPClientRequest, through client: HTTPClient, since started: ContinuousClock.Instant) async -> DeliveryResult {
        func elapsed() -> Int { Int((ContinuousClock.now - started).milliseconds) }
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(settings.totalTimeout.nanoseconds))
            let excerpt = try? await response.body.collect(upTo: 64 * 1024)
            let text = excerpt.map { String(buffer: $0) }.map { String($0.prefix(500)) }
            let retryAfter = response.headers.first(name: "Retry-After").flatMap(Self.retryAfter)
            return .init(status: Int(response.status.code), latencyMs: elapsed(), responseExcerpt: text, error: nil, retryAfter: retryAfter)
        } catch {
            return .failed(String(String(describing: error).prefix(300)), latencyMs: elapsed())
        }
    }

    /// `Retry-After` as seconds or an HTTP date.
    static func retryAfter(_ value: String) -> TimeInterval? {
        if let seconds = Int(value.trimmingCharacters(in: .whitespaces)), seconds >= 0 { return TimeInterval(seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: value).map { max(0, $0.timeIntervalSinceNow) }
    }
}
