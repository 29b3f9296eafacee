import ArgumentParser
import Atelier
import AtelierServer
import Foundation
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

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
