import ArgumentParser
import Atelier
import Foundation

/// Opens the configured database, brings its schema up to date, and runs `body` with it.
func withDatabase<T: Sendable>(
    _ body: @escaping @Sendable (any DatabaseClient, AtelierConfiguration) async throws -> T
) async throws -> T {
    let environment = try Environment.load()
    let database = try await environment.openDatabase()
    let logger = environment.logger
    do {
        return try await database.withRunning {
            try await Migrator().migrate(database, logger: logger)
            return try await body(database, environment.configuration)
        }
    } catch let error as AtelierError {
        throw ValidationError(error.detail)
    }
}
