import Foundation
import Logging
import NIOSSL
import PostgresKit
import PostgresNIO
import SQLKit
import ServiceLifecycle

/// PostgreSQL through PostgresNIO's connection pool.
public final class PostgresDatabaseClient: DatabaseClient {
    public let backend = SQLBackend.postgres
    private let client: PostgresClient
    private let logger: Logger

    public init(settings: PostgresSettings, logger: Logger) {
        var client = TLSConfiguration.makeClientConfiguration()
        client.minimumTLSVersion = .tlsv12
        if let file = settings.rootCertificateFile { client.trustRoots = .file(file) }
        let tls: PostgresClient.Configuration.TLS
        switch settings.tls {
        case .disable: tls = .disable
        case .prefer, .require:
            // As libpq: encrypted, but whoever answers is believed.
            client.certificateVerification = .none
            tls = settings.tls == .prefer ? .prefer(client) : .require(client)
        case .verifyCA:
            client.certificateVerification = .noHostnameVerification
            tls = .require(client)
        case .verifyFull:
            client.certificateVerification = .fullVerification
            tls = .require(client)
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
