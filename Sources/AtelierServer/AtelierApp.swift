import Atelier
import AtelierAPI
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdHTTP2
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle

/// Builds the HTTP application exactly as production runs it; tests build it through the same function.
public enum AtelierApp {
    public static func build(
        configuration: AtelierConfiguration,
        database: any DatabaseClient,
        clock: WallClock = .system,
        registry: PrometheusCollectorRegistry = .init(),
        readiness: Readiness = .init(),
        tracing: Bool = false,
        logger: Logger,
        onBootstrapKey: @escaping @Sendable (IssuedAPIKey) -> Void = { _ in },
        onBootstrapConsoleAdmin: @escaping @Sendable (IssuedStaffAccount) -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        let contract = try ContractDocument.load()
        let cache = ResponseCache()
        let cipher = try PersonalDataKeys.load(configuration)
        // Provider calls go through clients of their own, with short connect timeouts; webhook verification has
        // its own small pool, apart from the payments' connections.
        let paymentsClient = ProviderClient.payments()
        let webhookClient = ProviderClient.webhookVerification()
        // Every store and domain service, built once and shared by the handlers, the edge and the background work.
        let services = AppServices(
            configuration: configuration, database: database, clock: clock, cipher: cipher,
            gateways: PaymentGateways(configuration, client: paymentsClient, webhookClient: webhookClient),
            memo: CatalogMemo { cache.revision })
        let handlers = APIHandlers(services: services, registry: registry, readiness: readiness)
        // The generated server registers its operations; the contract's own documents are served beside them.
        let operations = OperationRegistry()
        try handlers.registerHandlers(on: operations, configuration: .init(dateTranscoder: RFC3339Dates(),
                                                                         jsonEncodingOptions: [.sortedKeys, .withoutEscapingSlashes]))
        operations.add(ByteBuffer(string: contract.json), contentType: "application/json", at: "/openapi.json")
        operations.add(ByteBuffer(string: contract.yaml), contentType: "application/yaml", at: "/openapi.yaml")
        operations.add(ByteBuffer(string: contract.docsHTML), contentType: "text/html; charset=utf-8", at: "/docs")
        let metrics = HTTPMetrics(registry: registry)
        let rateLimiter = RateLimiter(settings: configuration.server.rateLimits)
        let chain = EdgeChain.compose(.init(
            routes: contract.routes.attaching(operations.operations),
            tracing: tracing,
            metrics: metrics,
            cors: CORSPolicy(origins: configuration.server.corsOrigins),
            rateLimiter: rateLimiter,
            maxBodyBytes: configuration.server.maxBodyBytes,
            maxAssetBytes: configuration.assets.maxAssetBytes,
            uploadQuota: configuration.server.rateLimits.uploadBytesPerHour.map { UploadQuota(bytesPerHour: $0) },
            cartTTL: configuration.commerce.cartTTL,
            authenticator: Authenticator(database: services.database, store: services.apiKeys),
            metricsAccess: MetricsAccess(token: configuration.server.metricsToken),
            cache: cache,
            cartAnswers: CartAnswerCache(),
            database: services.database,
            carts: services.carts,
            shipDates: services.configuration.catalog.shipDates,
            clock: services.clock
        ))
        let api = EdgeResponder(chain: chain, router: OperationRouter())
        let console = try configuration.staff.consoleEnabled
            ? ConsoleResponder(services: services, templates: ConsoleTemplates.load(), clients: rateLimiter, cache: cache) : nil
        let server = configuration.server
        let responder = SiteResponder(api: api, console: console, demoImages: try DemoImages.load(), metrics: metrics,
                                      hsts: server.servesTLS && server.hstsMaxAge > 0 ? "max-age=\(server.hstsMaxAge)" : nil,
                                      readiness: readiness)
        let (transport, certificateReloader) = try httpServer(server, logger: logger)
        if configuration.commerce.paymentProviders.contains(.test) {
            logger.warning("the test payment provider is on: shoppers can mark their own checkouts paid without money",
                           metadata: ["hostname": .string(configuration.server.hostname),
                                      "allowed_explicitly": .stringConvertible(configuration.commerce.allowTestPayments)])
        }
        // Workers and periodic jobs wait until the schema is migrated (the server's first step below).
        let migrated = StartGate()
        var app = Application(
            responder: responder,
            server: transport,
            configuration: .init(
                address: .hostname(configuration.server.hostname, port: configuration.server.port),
                serverName: "Atelier"
            ),
            // The database runs first so that it shuts down last; the provider clients close after the server
            // has finished its requests.
            services: [
                database,
                webhookClient,
                paymentsClient,
                CatalogRevisionPoller(database: database, cache: cache, interval: configuration.server.catalogPollInterval, logger: logger),
            ] + (certificateReloader.map { [$0] } ?? []) + BackgroundWork.services(services: services, logger: logger, workers: configuration.server.workers)
                .map { StartGate.Gated(gate: migrated, service: $0) as any Service },
            logger: logger
        )
        app.beforeServerStarts {
            let bootstrapped = try await Bootstrap.prepare(
                database, mintAdminKey: configuration.server.bootstrapAdminKey,
                createConsoleAdmin: configuration.server.bootstrapAdminKey && configuration.staff.consoleEnabled, staff: configuration.staff,
                seedDemoCatalog: configuration.server.seedDemoCatalog, shopCurrency: configuration.catalog.shopCurrency, clock: clock, logger: logger
            )
            if let issued = bootstrapped.adminKey { onBootstrapKey(issued) }
            if let issued = bootstrapped.consoleAdmin { onBootstrapConsoleAdmin(issued) }
            migrated.open()
            if try await services.salesLedger.prepare(database: database) {
                logger.notice("rebuilt the sales reports' daily figures", metadata: ["time_zone": .string(configuration.catalog.shipDates.timeZone.identifier)])
            }
            await refresh(cache, from: database, logger: logger)
        }
        return app
    }

    /// Plain HTTP/1.1, or HTTPS (TLS 1.2+, HTTP/2 or HTTP/1.1 by ALPN) with the certificate files watched for
    /// renewals. Either way an idle connection, or one whose request head does not arrive, is closed after the
    /// idle timeout.
    private static func httpServer(_ settings: ServerSettings, logger: Logger) throws -> (HTTPServerBuilder, (any Service)?) {
        let http1 = HTTP1Channel.Configuration(additionalChannelHandlers: [QuiesceGrace(grace: .seconds(1))],
                                               idleTimeout: TimeAmount(settings.httpIdleTimeout))
        guard let certificateFile = settings.tlsCertificateFile, let keyFile = settings.tlsKeyFile else {
            return (.http1(configuration: http1), nil)
        }
        let certificates = try TLSCertificates(certificateFile: certificateFile, keyFile: keyFile)
        let http2 = HTTP2ChannelConfiguration(idleTimeout: settings.httpIdleTimeout, gracefulCloseTimeout: .seconds(5),
                                              streamConfiguration: http1)
        logger.info("serving HTTPS (TLS 1.2+, HTTP/2 and HTTP/1.1)", metadata: ["serial": .string(certificates.serial)])
        return (try .http2Upgrade(tlsConfiguration: certificates.serverConfiguration(), configuration: http2),
                TLSCertificateReloader(certificates: certificates, interval: settings.tlsReloadInterval, logger: logger))
    }
}
