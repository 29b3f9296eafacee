import Foundation
import Logging
import NIOSSL
import PostgresKit
import PostgresNIO
import SQLKit
import ServiceLifecycle

/// How to reach PostgreSQL, parsed from `DATABASE_URL`.
public struct PostgresSettings: Sendable, Equatable {
    public enum TLSMode: String, Sendable { case disable, prefer, require }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String?
    public var tls: TLSMode
    public var maxConnections: Int
    /// Schema to put first on the search path; tests use one schema each.
    public var searchPath: String?

    public init(host: String, port: Int, username: String, password: String?, database: String?,
                tls: TLSMode, maxConnections: Int, searchPath: String? = nil) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
        self.maxConnections = maxConnections
        self.searchPath = searchPath
    }

    /// Parses `postgres://user:password@host:port/database?sslmode=disable`.
    public init(url: String, maxConnections: Int) throws(SettingError) {
        guard let components = URLComponents(string: url),
            let scheme = components.scheme, ["postgres", "postgresql"].contains(scheme),
            let host = components.host, !host.isEmpty
        else {
            throw SettingError("must look like postgres://USER:PASSWORD@HOST:PORT/DATABASE")
        }
        guard let user = components.user, !user.isEmpty else {
            throw SettingError("names no user (postgres://USER:PASSWORD@HOST/DATABASE)")
        }
        let mode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        let tls: TLSMode
        switch mode {
        case "disable": tls = .disable
        case "allow", "prefer": tls = .prefer
        case "require", "verify-ca", "verify-full": tls = .require
        default: throw SettingError("has an unknown sslmode '\(mode)' (disable, prefer or require)")
        }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        self.init(
            host: host,
            port: components.port ?? 5432,
            username: user.removingPercentEncoding ?? user,
            password: components.password?.removingPercentEncoding ?? components.password,
            database: path.isEmpty ? nil : path,
            tls: tls,
            maxConnections: maxConnections
        )
    }
}

/// A configuration value that could not be used, with the reason.
public struct SettingError: Error, Sendable, Equatable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
}

/// PostgreSQL through PostgresNIO's connection pool.
public final class PostgresDatabaseClient: DatabaseClient {
    public let backend = SQLBackend.postgres
    private let client: PostgresClient
    private let logger: Logger

    public init(settings: PostgresSettings, logger: Logger) {
        let tls: PostgresClient.Configuration.TLS
        switch settings.tls {
        case .disable: tls = .disable
        case .prefer: tls = .prefer(.makeClientConfiguration())
        case .require: tls = .require(.makeClientConfiguration())
        }
        var configuration = PostgresClient.Configuration(
            host: settings.host,
            port: settings.port,
            username: settings.username,
            password: settings.password,
            database: settings.database,
            tls: tls
        )
        configuration.options.maximumConnections = settings.maxConnections
        if let searchPath = settings.searchPath {
            configuration.options.additionalStartupParameters = [("search_path", searchPath)]
        }
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
    }

    public func withConnection<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            try await body(connection.sql(queryLogLevel: .trace, logger: self.logger))
        }
    }

    public func run() async throws {
        await client.run()
    }
}
