import ArgumentParser
import Atelier
import AtelierServer
import Foundation
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

struct Worker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run job workers without the HTTP API (run any number, on any machine sharing the database)."
    )

    @Option(help: "How many workers this process runs.") var count: Int = 2

    func run() async throws {
        guard (1...64).contains(count) else { throw ValidationError("--count must be 1–64") }
        let environment = try Environment.load()
        let logger = environment.logger
        let traces = try TraceExport.start(logger: environment.logger)
        // A client runs once: one to migrate, then the workers' own.
        let migrating = try await environment.openDatabase()
        _ = try await migrating.withRunning { try await Migrator().migrate(migrating, logger: logger) }
        let database = try await environment.openDatabase()
        // Refund jobs call the payment providers through a client of their own, closed after the workers stop.
        let paymentsClient = ProviderClient.payments()
        // No memo: the workers answer no requests, so no response cache tells them the catalog revision.
        let appServices = AppServices(
            configuration: environment.configuration, database: database, clock: .system,
            cipher: try PersonalDataKeys.load(environment.configuration),
            gateways: PaymentGateways(environment.configuration, client: paymentsClient))
        let services: [any Service] = (traces.map { [$0] } ?? []) + [database, paymentsClient]
            + BackgroundWork.services(services: appServices, logger: logger, workers: count)
        var group = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        group.maximumGracefulShutdownDuration = environment.configuration.server.shutdownTimeout
        logger.notice("job workers started", metadata: ["count": .stringConvertible(count)])
        try await ServiceGroup(configuration: group).run()
    }
}
