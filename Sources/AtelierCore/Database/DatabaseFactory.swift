import Logging
import SQLKit
import ServiceLifecycle

/// Opens the client that the configuration asks for.
public enum DatabaseFactory {
    public static func make(_ setting: DatabaseSetting, logger: Logger) async throws -> any DatabaseClient {
        switch setting {
        case .sqlite(let storage, let poolSize):
            return try await SQLiteDatabaseClient.open(storage: storage, poolSize: poolSize, logger: logger)
        case .postgres(let settings):
            try await PostgresDatabaseClient.probe(settings, logger: logger)
            return PostgresDatabaseClient(settings: settings, logger: logger)
        }
    }
}
