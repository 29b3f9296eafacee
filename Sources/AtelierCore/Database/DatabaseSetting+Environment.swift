import Foundation

extension DatabaseSetting {
    /// `DATABASE_URL` (PostgreSQL) or the SQLite file under `dataDirectory`, with the pool size; nil when
    /// `DATABASE_URL` is unusable (the problem is recorded, never echoing the URL, which may carry a password).
    package static func read(_ reader: inout EnvironmentReader, dataDirectory: String) -> DatabaseSetting? {
        if let url = reader.value("DATABASE_URL") {
            let connections = reader.integer("ATELIER_DB_MAX_CONNECTIONS", default: 10, in: 1...500)
            do {
                return .postgres(try PostgresSettings(url: url, maxConnections: connections))
            } catch {
                // The URL may carry a password: never echo it.
                reader.problems.append("DATABASE_URL: \(error.reason)")
                return nil
            }
        }
        let connections = reader.integer("ATELIER_DB_MAX_CONNECTIONS", default: 4, in: 1...64)
        let folder = dataDirectory.hasSuffix("/") ? String(dataDirectory.dropLast()) : dataDirectory
        return .sqlite(.file(path: folder + "/atelier.sqlite"), poolSize: connections)
    }

    /// The variables `read` reads, as the README documents them.
    public static let variables: [EnvironmentVariable] = [
        .init("DATABASE_URL", "(unset: SQLite)", "postgres://USER:PASSWORD@HOST:PORT/DB selects PostgreSQL; `?sslmode=` disable, prefer, require (encrypted, unchecked), verify-ca or verify-full (checked against the system's roots or `&sslrootcert=CA.pem`)"),
        .init("ATELIER_DB_MAX_CONNECTIONS", "10 (PostgreSQL), 4 (SQLite)", "connection pool size"),
    ]
}
