import Atelier
import Foundation
import Testing

@Suite struct ConfigurationTests {
    @Test func defaultsMakeAnSQLiteFileUnderTheDataFolder() throws {
        let config = try AtelierConfiguration.load(environment: [:])
        #expect(config.port == 8080)
        #expect(config.hostname == "127.0.0.1")
        #expect(config.maxBodyBytes == 1_048_576)
        #expect(config.database == .sqlite(.file(path: "./data/atelier.sqlite"), poolSize: 4))
        #expect(config.logFormat == .json)
    }

    @Test func readsEveryVariable() throws {
        let config = try AtelierConfiguration.load(environment: [
            "PORT": "9000",
            "ATELIER_HOSTNAME": "0.0.0.0",
            "ATELIER_DATA_DIR": "/srv/atelier",
            "DATABASE_URL": "postgres://shop:s%40cret@db.internal:6543/atelier?sslmode=require",
            "ATELIER_DB_MAX_CONNECTIONS": "30",
            "ATELIER_MAX_BODY_BYTES": "2048",
            "ATELIER_LOG_LEVEL": "debug",
            "ATELIER_LOG_FORMAT": "text",
            "ATELIER_BOOTSTRAP_ADMIN_KEY": "false",
        ])
        #expect(config.port == 9000)
        #expect(config.hostname == "0.0.0.0")
        #expect(config.dataDirectory == "/srv/atelier")
        #expect(config.database == .postgres(PostgresSettings(
            host: "db.internal", port: 6543, username: "shop", password: "s@cret", database: "atelier",
            tls: .require, maxConnections: 30)))
        #expect(config.maxBodyBytes == 2048)
        #expect(config.logLevel == .debug)
        #expect(config.logFormat == .text)
        #expect(config.bootstrapAdminKey == false)
    }

    @Test func namesEveryBadVariableAtOnceWithoutEchoingTheDatabasePassword() throws {
        let error = #expect(throws: ConfigurationError.self) {
            try AtelierConfiguration.load(environment: [
                "PORT": "eighty",
                "ATELIER_LOG_LEVEL": "loud",
                "ATELIER_MAX_BODY_BYTES": "-1",
                "ATELIER_BOOTSTRAP_ADMIN_KEY": "perhaps",
                "DATABASE_URL": "mysql://root:hunter2@localhost/db",
            ])
        }
        let problems = try #require(error).problems
        #expect(problems.count == 5)
        for name in ["PORT", "ATELIER_LOG_LEVEL", "ATELIER_MAX_BODY_BYTES", "ATELIER_BOOTSTRAP_ADMIN_KEY", "DATABASE_URL"] {
            #expect(problems.contains { $0.hasPrefix(name + ":") || $0.hasPrefix(name + "=") }, "\(name) not reported")
        }
        #expect(!error!.description.contains("hunter2"))
    }

    @Test func theReadmeDocumentsEveryVariable() throws {
        let readme = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        for variable in AtelierConfiguration.variables {
            #expect(text.contains("`\(variable.name)`"), "README.md does not document \(variable.name)")
        }
    }
}
