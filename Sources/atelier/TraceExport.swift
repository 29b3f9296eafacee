import Foundation
import Logging
import OTel
import ServiceLifecycle
import Tracing

/// OpenTelemetry traces, off unless the standard variables ask for them: `OTEL_TRACES_EXPORTER=otlp` turns them
/// on, and the exporter reads the rest (`OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`,
/// `OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_SERVICE_NAME`, `OTEL_TRACES_SAMPLER`, `OTEL_BSP_SCHEDULE_DELAY` …).
/// Spans go over OTLP/HTTP with protobuf bodies; W3C trace context is what is read from requests and sent on.
/// Only traces: metrics stay on `/metrics`, logs on standard output.
enum TraceExport {
    /// Installs the tracer, when asked for, and answers the service that exports its spans (to run first in the
    /// service group, so that it stops last and sends the spans of the shutdown too). Call it before any HTTP
    /// client is made: clients take the tracer in place when they are created.
    static func start(logger: Logger, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> (any Service)? {
        guard let exporter = environment["OTEL_TRACES_EXPORTER"]?.lowercased(), !exporter.isEmpty, exporter != "none",
              environment["OTEL_SDK_DISABLED"]?.lowercased() != "true"
        else { return nil }
        var configuration = OTel.Configuration.default
        configuration.serviceName = "atelier"
        configuration.traces.enabled = true
        configuration.metrics.enabled = false
        configuration.logs.enabled = false
        // The exporter's own messages go to the process's log, in its format; only its warnings and errors.
        configuration.diagnosticLogger = .custom(logger)
        configuration.diagnosticLogLevel = .warning
        let backend = try OTel.makeTracingBackend(configuration: configuration)
        InstrumentationSystem.bootstrap(backend.factory)
        return backend.service
    }
}
