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
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let database = try await environment.openDatabase()
        let logger = environment.logger
        let configuration = environment.configuration
        let address = "\(configuration.server.hostname):\(configuration.server.port)"
        let app = try AtelierApp.build(
            configuration: configuration,
            database: database,
            registry: registry,
            logger: logger,
            onBootstrapKey: { issued in
                BootstrapKeyOutput.deliver(issued, dataDirectory: configuration.server.dataDirectory, address: address, logger: logger)
            },
            onBootstrapConsoleAdmin: { issued in
                BootstrapKeyOutput.deliver(issued, dataDirectory: configuration.server.dataDirectory, address: address, logger: logger)
            }
        )
        // SIGTERM drains: the server finishes its requests, then every service stops in turn. What is still
        // running after the shutdown timeout is cancelled, so the process always ends.
        var group = ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        group.maximumGracefulShutdownDuration = configuration.server.shutdownTimeout
        try await ServiceGroup(configuration: group).run()
    }
}
