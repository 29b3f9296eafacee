import Atelier
import AtelierAPI
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import OpenAPIHummingbird
import Prometheus
import ServiceLifecycle

/// Builds the HTTP application exactly as production runs it; tests build it through the same function.
public enum AtelierApp {
    public static func build(
        configuration: AtelierConfiguration,
        database: any DatabaseClient,
        clock: WallClock = .system,
        registry: PrometheusCollectorRegistry = .init(),
        logger: Logger,
        onBootstrapKey: @escaping @Sendable (IssuedAPIKey) -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        let contract = try ContractDocument.load()
        let cache = ResponseCache()
        let router = Router(context: AtelierRequestContext.self)
        addContractRoutes(contract, to: router)
        let assetStorage = AssetStorageFactory.make(configuration)
        let memo = CatalogMemo { cache.revision }
        let cipher = try PersonalDataKeys.load(configuration)
        // Provider calls go through clients of their own, with short connect timeouts; webhook verification has
        // its own small pool, apart from the payments' connections.
        let paymentsClient = ProviderClient.payments()
        let webhookClient = ProviderClient.webhookVerification()
        let gateways = PaymentGateways(configuration, client: paymentsClient, webhookClient: webhookClient)
        let handlers = APIHandlers(database: database, configuration: configuration, clock: clock, registry: registry,
                                   assetStorage: assetStorage, memo: memo, cipher: cipher, gateways: gateways)
        try handlers.registerHandlers(on: router, configuration: .init(dateTranscoder: RFC3339Dates(),
                                                                               jsonEncodingOptions: [.sortedKeys, .withoutEscapingSlashes]))

        var responder = EdgeResponder(
            inner: router.buildResponder(),
            routes: contract.routes,
            authenticator: Authenticator(database: database, store: APIKeyStore(clock: clock)),
            metrics: HTTPMetrics(registry: registry),
            maxBodyBytes: configuration.maxBodyBytes,
            maxAssetBytes: configuration.maxAssetBytes,
            cache: cache,
            database: database,
            carts: CartStore(ttl: configuration.cartTTL, limits: configuration.cartLimits, clock: clock),
            cartCache: CartAnswerCache(),
            shipDates: configuration.shipDates,
            clock: clock
        )
        responder.cors = CORSPolicy(origins: configuration.corsOrigins)
        responder.rateLimiter = RateLimiter(settings: configuration.rateLimits)
        responder.metricsAccess = MetricsAccess(token: configuration.metricsToken)
        responder.uploadQuota = configuration.rateLimits.uploadBytesPerHour.map { UploadQuota(bytesPerHour: $0) }
        if configuration.paymentProviders.contains(.test) {
            logger.warning("the test payment provider is on: shoppers can mark their own checkouts paid without money",
                           metadata: ["hostname": .string(configuration.hostname),
                                      "allowed_explicitly": .stringConvertible(configuration.allowTestPayments)])
        }
        // Workers and periodic jobs wait until the schema is migrated (the server's first step below).
        let migrated = StartGate()
        var app = Application(
            responder: responder,
            server: .http1(configuration: .init(idleTimeout: TimeAmount(configuration.httpIdleTimeout))),
            configuration: .init(
                address: .hostname(configuration.hostname, port: configuration.port),
                serverName: "Atelier"
            ),
            // The database runs first so that it shuts down last; the provider clients close after the server
            // has finished its requests.
            services: [
                database,
                webhookClient,
                paymentsClient,
                CatalogRevisionPoller(database: database, cache: cache, interval: configuration.catalogPollInterval, logger: logger),
            ] + BackgroundWork.services(configuration: configuration, database: database, assetStorage: assetStorage,
                                        cipher: cipher, gateways: gateways, clock: clock, logger: logger, workers: configuration.workers)
                .map { StartGate.Gated(gate: migrated, service: $0) as any Service },
            logger: logger
        )
        app.beforeServerStarts {
            if let issued = try await Bootstrap.prepare(
                database, mintAdminKey: configuration.bootstrapAdminKey, seedDemoCatalog: configuration.seedDemoCatalog,
                shopCurrency: configuration.shopCurrency, clock: clock, logger: logger
            ) {
                onBootstrapKey(issued)
            }
            migrated.open()
            if try await SalesLedger(timeZone: configuration.shipDates.timeZone).prepare(database: database) {
                logger.notice("rebuilt the sales reports' daily figures", metadata: ["time_zone": .string(configuration.shipDates.timeZone.identifier)])
            }
            await refresh(cache, from: database, logger: logger)
        }
        return app
    }

    /// The contract itself and its reference page, served beside the operations.
    private static func addContractRoutes(_ contract: ContractDocument, to router: Router<AtelierRequestContext>) {
        let json = ByteBuffer(string: contract.json)
        let yaml = ByteBuffer(string: contract.yaml)
        let html = ByteBuffer(string: contract.docsHTML)
        func serve(_ body: ByteBuffer, _ type: String) -> @Sendable (Request, AtelierRequestContext) -> Response {
            { _, _ in
                Response(status: .ok, headers: [.contentType: type, .cacheControl: "public, max-age=300"],
                         body: .init(byteBuffer: body))
            }
        }
        router.get("/openapi.json", use: serve(json, "application/json"))
        router.get("/openapi.yaml", use: serve(yaml, "application/yaml"))
        router.get("/docs", use: serve(html, "text/html; charset=utf-8"))
    }
}
