import HTTPTypes
import Metrics
import NIOConcurrencyHelpers
import Prometheus

/// Request counts and latency per route template, method and status, in the app's Prometheus registry.
///
/// The registry's handles are looked up once per route, method and status and kept, so an answer costs
/// one small lookup and two atomic updates, not two searches of the registry by label lists.
final class HTTPMetrics: Sendable {
    private struct Key: Hashable {
        var route: String
        var method: HTTPRequest.Method
        var status: Int
    }

    private struct Handles {
        var requests: Prometheus.Counter
        var duration: DurationHistogram
    }

    let registry: PrometheusCollectorRegistry
    private let handles = NIOLockedValueBox<[Key: Handles]>([:])

    static let buckets: [Duration] = [
        .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
    ]

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    func record(method: HTTPRequest.Method, route: String, status: Int, duration: Duration) {
        let key = Key(route: route, method: method, status: status)
        let found = handles.withLockedValue { $0[key] } ?? makeHandles(key)
        found.requests.increment()
        found.duration.recordNanoseconds(duration.nanoseconds)
    }

    private func makeHandles(_ key: Key) -> Handles {
        let labels = [("method", key.method.rawValue), ("route", key.route), ("status", String(key.status))]
        let made = Handles(
            requests: registry.makeCounter(name: "atelier_http_requests_total", labels: labels),
            duration: registry.makeDurationHistogram(name: "atelier_http_request_duration_seconds", labels: labels, buckets: Self.buckets))
        // Routes are the contract's templates and statuses a few dozen: the map stays small.
        handles.withLockedValue { $0[key] = made }
        return made
    }
}
