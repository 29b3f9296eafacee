import ArgumentParser
import Atelier
import AtelierServer
import Foundation
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

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
