import Foundation
import Logging
import NIOCore
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
        let tls: PostgresClient.Configuration.TLS
        switch Self.tls(settings) {
        case nil: tls = .disable
        case let (client, plainAllowed)?: tls = plainAllowed ? .prefer(client) : .require(client)
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

    /// The client side of TLS for `settings.tls`, and whether plain text is accepted when the server has no TLS.
    private static func tls(_ settings: PostgresSettings) -> (TLSConfiguration, Bool)? {
        var client = TLSConfiguration.makeClientConfiguration()
        client.minimumTLSVersion = .tlsv12
        if let file = settings.rootCertificateFile { client.trustRoots = .file(file) }
        switch settings.tls {
        case .disable: return nil
        case .prefer, .require:
            // As libpq: encrypted, but whoever answers is believed.
            client.certificateVerification = .none
            return (client, settings.tls == .prefer)
        case .verifyCA:
            client.certificateVerification = .noHostnameVerification
            return (client, false)
        case .verifyFull:
            client.certificateVerification = .fullVerification
            return (client, false)
        }
    }

    /// Connects once, before the pool starts, so that a setting that can never work stops the process with its
    /// reason instead of leaving the pool to retry for ever: a certificate that fails verification, a server
    /// without TLS when it is required, a refused login or database. A server that cannot be reached yet (it may
    /// be starting beside this node) is tried again for `patience`.
    public static func probe(_ settings: PostgresSettings, logger: Logger, patience: Duration = .seconds(30)) async throws {
        let tls: PostgresConnection.Configuration.TLS
        switch Self.tls(settings) {
        case nil: tls = .disable
        case let (client, plainAllowed)?:
            let context = try NIOSSLContext(configuration: client)
            tls = plainAllowed ? .prefer(context) : .require(context)
        }
        var configuration = PostgresConnection.Configuration(host: settings.host, port: settings.port, username: settings.username,
                                                             password: settings.password, database: settings.database, tls: tls)
        configuration.options.connectTimeout = .seconds(5)
        let deadline = ContinuousClock.now + patience
        while true {
            do {
                let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
                try await connection.close()
                return
            } catch let error as PSQLError {
                // A server's refusal is final, but for "starting up" or "too many connections" (SQLSTATE classes 57
                // and 53), which pass.
                let state = error.serverInfo?[.sqlState] ?? ""
                let serverRefused = error.code == .server && !state.hasPrefix("57") && !state.hasPrefix("53")
                let permanent = serverRefused || error.code == .sslUnsupported || error.underlying is NIOSSLError
                    || error.underlying is BoringSSLError
                let reason = error.serverInfo.map { info in info[.message] ?? "refused" } ?? error.underlying.map { "\($0)" } ?? "\(error.code)"
                if permanent || ContinuousClock.now >= deadline {
                    throw DatabaseUnusable(host: settings.host, port: settings.port, reason: reason)
                }
                logger.warning("PostgreSQL not reachable yet; trying again", metadata: ["reason": .string(reason)])
                try await Task.sleep(for: .seconds(1))
            }
        }
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
