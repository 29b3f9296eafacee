import ArgumentParser
import Atelier
import AtelierServer
import Foundation
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the HTTP API (migrates the database first).")

    @Option(help: "Address to bind (overrides ATELIER_HOSTNAME).") var hostname: String?
    @Option(help: "Port to listen on (overrides PORT).") var port: Int?

    func run() async throws {
        var environment = try Environment.load()
        if let hostname { environment.configuration.server.hostname = hostname }
        if let port { environment.configuration.server.port = port }
        if let problem = environment.configuration.testPaymentsProblem {
            FileHandle.standardError.write(Data("atelier: invalid configuration:\n  - \(problem)\n".utf8))
            throw ExitCode(78)  // EX_CONFIG
        }
        let traces = try TraceExport.start(logger: environment.logger)
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let database = try await environment.openDatabase()
        let logger = environment.logger
        let configuration = environment.configuration
        let address = "\(configuration.server.hostname):\(configuration.server.port)"
        let readiness = Readiness()
        let app = try AtelierApp.build(
            configuration: configuration,
            database: database,
            registry: registry,
            readiness: readiness,
            tracing: traces != nil,
            logger: logger,
            onBootstrapKey: { issued in
                BootstrapKeyOutput.deliver(issued, dataDirectory: configuration.server.dataDirectory, address: address, logger: logger)
            },
            onBootstrapConsoleAdmin: { issued in
                BootstrapKeyOutput.deliver(issued, dataDirectory: configuration.server.dataDirectory, address: address, logger: logger)
            }
        )
        // SIGTERM drains: `/health/ready` turns 503 and requests are still served for the drain period; then, as
        // at once on SIGINT, the server stops accepting, finishes its requests, and every service stops in turn.
        // What is still running after the shutdown timeout is cancelled, so the process always ends.
        let drain = DrainPeriod(readiness: readiness, period: configuration.server.drainPeriod, logger: logger)
        var group = ServiceGroupConfiguration(
            services: (traces.map { [ServiceGroupConfiguration.ServiceConfiguration(service: $0)] } ?? [])
                + [.init(service: app), .init(service: drain, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigint], logger: logger)
        group.maximumGracefulShutdownDuration = configuration.server.shutdownTimeout
        try await ServiceGroup(configuration: group).run()
    }
}
