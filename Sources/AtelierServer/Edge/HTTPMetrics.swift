import Prometheus

/// Request counts and latency per route template, method and status, in the app's Prometheus registry.
struct HTTPMetrics: Sendable {
    let registry: PrometheusCollectorRegistry

    static let buckets: [Duration] = [
        .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
    ]

    func record(method: String, route: String, status: Int, duration: Duration) {
        let labels = [("method", method), ("route", route), ("status", String(status))]
        registry.makeCounter(name: "atelier_http_requests_total", labels: labels).increment()
        registry.makeDurationHistogram(name: "atelier_http_request_duration_seconds", labels: labels, buckets: Self.buckets)
            .recordNanoseconds(duration.nanoseconds)
    }
}
