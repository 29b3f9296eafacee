import Logging
import SQLKit
import ServiceLifecycle

/// Where the data lives, as decided by the configuration.
public enum DatabaseSetting: Sendable, Equatable {
    public enum SQLiteStorage: Sendable, Equatable {
        case file(path: String)
        case memory
    }

    case sqlite(SQLiteStorage, poolSize: Int)
    case postgres(PostgresSettings)
}
