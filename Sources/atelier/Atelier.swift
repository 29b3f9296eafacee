import ArgumentParser
import Atelier
import AtelierServer
import Foundation
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

@main
struct AtelierCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "atelier",
        abstract: "Headless commerce backend for made-to-order, customizable products.",
        subcommands: [Serve.self, Worker.self, Migrate.self, SeedDemo.self, APIKeyCommand.self, StaffCommand.self, OpenMail.self],
        defaultSubcommand: Serve.self
    )
}

/// What every command does first: read the configuration, set up logging, open the database.
struct Environment {
    var configuration: AtelierConfiguration
    var logger: Logger

    static func load() throws -> Environment {
        let configuration: AtelierConfiguration
        do {
            configuration = try AtelierConfiguration.load()
        } catch {
            FileHandle.standardError.write(Data("atelier: \(error.description)\n".utf8))
            throw ExitCode(78)  // EX_CONFIG
        }
        LoggingSetup.bootstrap(format: configuration.server.logFormat.rawValue, level: configuration.server.logLevel)
        return Environment(configuration: configuration, logger: Logger(label: "atelier"))
    }

    func openDatabase() async throws -> any DatabaseClient {
        if case .sqlite(.file(let path), _) = configuration.database {
            try FileManager.default.createDirectory(
                at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
        }
        return try await DatabaseFactory.make(configuration.database, logger: logger)
    }
}

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

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations and exit.")

    func run() async throws {
        let environment = try Environment.load()
        let database = try await environment.openDatabase()
        let logger = environment.logger
        let applied = try await database.withRunning {
            try await Migrator().migrate(database, logger: logger)
        }
        print(applied.isEmpty ? "The database is up to date." : "Applied \(applied.count) migration(s): \(applied.joined(separator: ", "))")
    }
}

struct SeedDemo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed-demo",
        abstract: "Load the demo catalog (products are matched by slug, so running it again refreshes them)."
    )

    func run() async throws {
        let outcome = try await withDatabase { database, configuration in
            try await database.transaction { db in
                try await DemoCatalog.load(currency: configuration.catalog.shopCurrency, on: db)
            }
        }
        print("Demo catalog: \(outcome.created.count) product(s) created, \(outcome.updated.count) updated, \(outcome.templatesPublished) template version(s) published.")
    }
}

struct Worker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run job workers without the HTTP API (run any number, on any machine sharing the database)."
    )

    @Option(help: "How many workers this process runs.") var count: Int = 2

    func run() async throws {
        guard (1...64).contains(count) else { throw ValidationError("--count must be 1–64") }
        let environment = try Environment.load()
        let logger = environment.logger
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
        let services: [any Service] = [database, paymentsClient]
            + BackgroundWork.services(services: appServices, logger: logger, workers: count)
        var group = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        group.maximumGracefulShutdownDuration = environment.configuration.server.shutdownTimeout
        logger.notice("job workers started", metadata: ["count": .stringConvertible(count)])
        try await ServiceGroup(configuration: group).run()
    }
}
