import Atelier
import Foundation
import Testing

@Suite struct ConfigurationTests {
    @Test func defaultsMakeAnSQLiteFileUnderTheDataFolder() throws {
        let config = try AtelierConfiguration.load(environment: [:])
        #expect(config.server.port == 8080)
        #expect(config.server.hostname == "127.0.0.1")
        #expect(config.server.maxBodyBytes == 1_048_576)
        #expect(config.database == .sqlite(.file(path: "./data/atelier.sqlite"), poolSize: 4))
        #expect(config.server.logFormat == .json)
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
            "ATELIER_ALLOW_TEST_PAYMENTS": "true",
            "ATELIER_MAX_IMAGE_PIXELS": "12000000",
            "ATELIER_UPLOAD_QUOTA_BYTES_PER_HOUR": "1048576",
            "ATELIER_RATE_LIMIT_IPV6_PREFIX": "48",
            "ATELIER_HTTP_IDLE_TIMEOUT_SECONDS": "20",
            "ATELIER_SHUTDOWN_TIMEOUT_SECONDS": "8",
            "ATELIER_METRICS_TOKEN": "a-long-enough-metrics-token",
            "ATELIER_RETENTION_ASSET_HOURS": "3",
        ])
        #expect(config.commerce.allowTestPayments)
        #expect(config.assets.maxImagePixels == 12_000_000)
        #expect(config.server.rateLimits.uploadBytesPerHour == 1_048_576)
        #expect(config.server.rateLimits.ipv6PrefixLength == 48)
        #expect(config.server.httpIdleTimeout == .seconds(20))
        #expect(config.server.shutdownTimeout == .seconds(8))
        #expect(config.server.metricsToken == "a-long-enough-metrics-token")
        #expect(config.privacy.retention.assetHours == 3)
        #expect(config.server.port == 9000)
        #expect(config.server.hostname == "0.0.0.0")
        #expect(config.server.dataDirectory == "/srv/atelier")
        #expect(config.database == .postgres(PostgresSettings(
            host: "db.internal", port: 6543, username: "shop", password: "s@cret", database: "atelier",
            tls: .require, maxConnections: 30)))
        #expect(config.server.maxBodyBytes == 2048)
        #expect(config.server.logLevel == .debug)
        #expect(config.server.logFormat == .text)
        #expect(config.server.bootstrapAdminKey == false)
    }

    @Test func postgresTLSModesFollowLibpq() throws {
        let ca = FileManager.default.temporaryDirectory.appendingPathComponent("atelier-ca-\(UUID().uuidString).pem").path
        try Data("not read here".utf8).write(to: URL(fileURLWithPath: ca))
        defer { try? FileManager.default.removeItem(atPath: ca) }
        let base = "postgres://shop@db.internal/atelier"
        #expect(try PostgresSettings(url: base, maxConnections: 1).tls == .prefer)
        #expect(try PostgresSettings(url: base + "?sslmode=verify-full", maxConnections: 1).tls == .verifyFull)
        let full = try PostgresSettings(url: base + "?sslmode=verify-full&sslrootcert=\(ca)", maxConnections: 1)
        #expect(full.tls == .verifyFull && full.rootCertificateFile == ca)
        // As libpq: a root certificate turns `require` into `verify-ca`.
        #expect(try PostgresSettings(url: base + "?sslmode=require&sslrootcert=\(ca)", maxConnections: 1).tls == .verifyCA)
        #expect(throws: SettingError.self) { try PostgresSettings(url: base + "?sslmode=verify-all", maxConnections: 1) }
        #expect(throws: SettingError.self) { try PostgresSettings(url: base + "?sslmode=disable&sslrootcert=\(ca)", maxConnections: 1) }
        #expect(throws: SettingError.self) { try PostgresSettings(url: base + "?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem", maxConnections: 1) }
    }

    @Test func tlsNeedsBothFilesAndTheyMustBeReadable() throws {
        var environment = ["ATELIER_TLS_CERT_FILE": "/nonexistent/cert.pem"]
        #expect(throws: ConfigurationError.self) { try AtelierConfiguration.load(environment: environment) }
        environment["ATELIER_TLS_KEY_FILE"] = "/nonexistent/key.pem"
        #expect(throws: ConfigurationError.self) { try AtelierConfiguration.load(environment: environment) }
        let config = try AtelierConfiguration.load(environment: ["ATELIER_DRAIN_SECONDS": "0"])
        #expect(!config.server.servesTLS && config.server.drainPeriod == .zero)
        #expect(config.server.resolvedPublicURL.hasPrefix("http://"))
    }

    @Test func theTestProviderRunsOnlyWhereNoShopperCanReachIt() throws {
        func problems(_ env: [String: String]) -> [String] {
            do { _ = try AtelierConfiguration.load(environment: env); return [] } catch { return error.problems }
        }
        // On loopback it is the default, so the walk-through works with no settings at all.
        #expect(try AtelierConfiguration.load(environment: [:]).commerce.paymentProviders == [.test])
        #expect(problems(["ATELIER_HOSTNAME": "::1"]).isEmpty)
        #expect(try AtelierConfiguration.load(environment: ["ATELIER_HOSTNAME": "::1"]).delivery.mail?.trackingBaseURL == "http://[::1]:8080")
        // Anywhere else, by default or by name, it is refused unless allowed explicitly.
        #expect(problems(["ATELIER_HOSTNAME": "0.0.0.0"]).contains { $0.hasPrefix("ATELIER_PAYMENT_PROVIDERS: required when binding to 0.0.0.0") })
        #expect(problems(["ATELIER_HOSTNAME": "10.0.0.5", "ATELIER_PAYMENT_PROVIDERS": "test"]).contains { $0.contains("runs on loopback only") })
        #expect(problems(["ATELIER_HOSTNAME": "0.0.0.0", "ATELIER_ALLOW_TEST_PAYMENTS": "true"]).isEmpty)
        // Never beside a real provider, even on loopback.
        let stripe = ["ATELIER_STRIPE_SECRET_KEY": "sk_test_1", "ATELIER_STRIPE_WEBHOOK_SECRETS": "whsec_abcdefgh"]
        #expect(problems(stripe.merging(["ATELIER_PAYMENT_PROVIDERS": "test,stripe"]) { a, _ in a })
            .contains { $0.contains("may not run beside a real provider") })
        #expect(problems(stripe.merging(["ATELIER_PAYMENT_PROVIDERS": "test,stripe", "ATELIER_ALLOW_TEST_PAYMENTS": "true"]) { a, _ in a }).isEmpty)
        #expect(problems(stripe.merging(["ATELIER_PAYMENT_PROVIDERS": "stripe", "ATELIER_HOSTNAME": "0.0.0.0"]) { a, _ in a }).isEmpty)
        // `serve --hostname` is checked again after the override.
        var moved = try AtelierConfiguration.load(environment: [:])
        moved.server.hostname = "0.0.0.0"
        #expect(moved.testPaymentsProblem != nil)
        #expect(ServerSettings.isLoopback("127.1.2.3") && ServerSettings.isLoopback("localhost"))
        #expect(!ServerSettings.isLoopback("127.0.0.1.example.com") && !ServerSettings.isLoopback("128.0.0.1"))
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
