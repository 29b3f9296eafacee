// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "atelier",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "atelier", targets: ["atelier"])
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-openapi-generator.git", from: "1.14.3"),
        .package(url: "https://github.com/apple/swift-openapi-runtime.git", from: "1.13.4"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/jpsim/Yams.git", "5.0.1"..<"7.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        // Traces exported over OTLP/HTTP only: the gRPC exporter (and its build) is left out.
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        .executableTarget(
            name: "atelier",
            dependencies: [
                "AtelierServer",
                "Atelier",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "AtelierServer",
            dependencies: [
                "Atelier",
                "AtelierAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdHTTP2", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            resources: [.copy("Console/Templates"), .copy("Console/Static"), .copy("Demo")]
        ),
        .target(
            name: "AtelierAPI",
            dependencies: [
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime")
            ],
            resources: [.copy("openapi.yaml")],
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        ),
        .target(
            name: "CImageCheck",
            linkerSettings: [
                .linkedLibrary("png16"),
                .linkedLibrary("jpeg"),
                .linkedLibrary("dl", .when(platforms: [.linux])),
                .linkedLibrary("pthread", .when(platforms: [.linux])),
            ]
        ),
        // The domain, in modules that depend on each other in one direction only: a module lists the modules below
        // it that it uses, and the compiler refuses any use of a module above. Bottom to top: AtelierCore (errors,
        // ids, money, clock, coding, the database clients and migrator, jobs, the outbox, the personal-data cipher);
        // AtelierAssets and AtelierCatalog (products, templates, inventory; pricing, shipping, tax, ship dates);
        // AtelierCustomization (sessions, checks, previews); AtelierCommerce (cart, checkout, payments, orders,
        // refunds, the sales ledger); AtelierDelivery (webhooks, mail, fulfillment) and AtelierInsights (reports);
        // AtelierPrivacy; AtelierAccess (API keys, staff accounts and their sessions) beside them; Atelier at the top:
        // the configuration that composes every module's settings, the migrations, the seed data, and one import for
        // the server and the tools.
        // A lower module that must set off a higher one does it through the outbox or a protocol it owns.
        .target(
            name: "AtelierCore",
            dependencies: [
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),
        .target(
            name: "AtelierAssets",
            dependencies: [
                "AtelierCore", "CImageCheck",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .target(name: "AtelierCatalog", dependencies: ["AtelierCore", .product(name: "SQLKit", package: "sql-kit"),
                                                       .product(name: "Crypto", package: "swift-crypto"),
                                                       .product(name: "Logging", package: "swift-log")]),
        .target(
            name: "AtelierCustomization",
            dependencies: ["AtelierCore", "AtelierAssets", "AtelierCatalog", .product(name: "SQLKit", package: "sql-kit"),
                           .product(name: "Crypto", package: "swift-crypto"), .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "AtelierCommerce",
            dependencies: ["AtelierCore", "AtelierCatalog", "AtelierCustomization",
                           .product(name: "SQLKit", package: "sql-kit"), .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "Logging", package: "swift-log"), .product(name: "Metrics", package: "swift-metrics"),
                           .product(name: "AsyncHTTPClient", package: "async-http-client"),
                           .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                           .product(name: "NIOHTTP1", package: "swift-nio")]
        ),
        .target(
            name: "AtelierDelivery",
            dependencies: ["AtelierCore", "AtelierCatalog", "AtelierCustomization", "AtelierCommerce",
                           .product(name: "SQLKit", package: "sql-kit"), .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "Logging", package: "swift-log"), .product(name: "Metrics", package: "swift-metrics"),
                           .product(name: "AsyncHTTPClient", package: "async-http-client"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                           .product(name: "Mustache", package: "swift-mustache"),
                           .product(name: "NIOSSL", package: "swift-nio-ssl"),
                           .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")]
        ),
        .target(
            name: "AtelierInsights",
            dependencies: ["AtelierCore", "AtelierCatalog", "AtelierCustomization", "AtelierCommerce",
                           .product(name: "SQLKit", package: "sql-kit"), .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "AtelierPrivacy",
            dependencies: ["AtelierCore", "AtelierAssets", "AtelierCatalog", "AtelierCustomization", "AtelierCommerce", "AtelierDelivery",
                           .product(name: "SQLKit", package: "sql-kit"), .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "Logging", package: "swift-log")]
        ),
        .target(name: "AtelierAccess", dependencies: ["AtelierCore", .product(name: "SQLKit", package: "sql-kit"),
                                                      .product(name: "Crypto", package: "swift-crypto"),
                                                      .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                                                      .product(name: "NIOPosix", package: "swift-nio")]),
        .target(
            name: "Atelier",
            dependencies: [
                "AtelierCore", "AtelierAssets", "AtelierCatalog", "AtelierCustomization", "AtelierCommerce", "AtelierDelivery",
                "AtelierInsights", "AtelierPrivacy", "AtelierAccess",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .target(
            name: "AtelierTestSupport",
            dependencies: [
                "Atelier",
                "AtelierCore", "AtelierAssets", "AtelierCatalog", "AtelierCustomization", "AtelierCommerce", "AtelierDelivery", "AtelierInsights", "AtelierPrivacy", "AtelierAccess",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SQLKit", package: "sql-kit"),
            ],
            path: "Tests/AtelierTestSupport"
        ),
        .testTarget(
            name: "AtelierTests",
            dependencies: [
                "Atelier",
                "AtelierCore", "AtelierAssets", "AtelierCatalog", "AtelierCustomization", "AtelierCommerce", "AtelierDelivery", "AtelierInsights", "AtelierPrivacy", "AtelierAccess",
                "AtelierTestSupport",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "AtelierServerTests",
            dependencies: [
                "AtelierServer",
                "Atelier",
                "AtelierCore", "AtelierAssets", "AtelierCatalog", "AtelierCustomization", "AtelierCommerce", "AtelierDelivery", "AtelierInsights", "AtelierPrivacy", "AtelierAccess",
                "AtelierTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
    ]
)
