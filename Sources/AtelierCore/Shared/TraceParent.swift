import Tracing

/// The W3C `traceparent` of the work in hand, kept in the database with the jobs, events and deliveries it
/// leaves for later, so that the work done later (by any node) joins the trace of the request that caused it.
/// Nil when tracing is off or nothing is being traced.
public enum TraceParent {
    /// The current task's trace, as a `traceparent` value.
    public static var current: String? {
        guard let context = ServiceContext.current else { return nil }
        var carrier: [String: String] = [:]
        InstrumentationSystem.instrument.inject(context, into: &carrier, using: DictionaryInjector())
        return carrier["traceparent"]
    }

    /// The context to continue from a stored `traceparent` (a new trace when there is none).
    public static func context(_ traceParent: String?) -> ServiceContext {
        var context = ServiceContext.topLevel
        if let traceParent {
            InstrumentationSystem.instrument.extract(["traceparent": traceParent], into: &context, using: DictionaryExtractor())
        }
        return context
    }

    /// Runs `body` in an internal span named `name` that continues the stored trace.
    public static func withSpan<T>(_ name: String, continuing traceParent: String?,
                                   _ body: () async throws -> T) async rethrows -> T {
        try await Tracing.withSpan(name, context: context(traceParent), ofKind: .internal) { _ in try await body() }
    }

    struct DictionaryInjector: Injector {
        func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) { carrier[key] = value }
    }

    struct DictionaryExtractor: Extractor {
        func extract(key: String, from carrier: [String: String]) -> String? { carrier[key] }
    }
}
