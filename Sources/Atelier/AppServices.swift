import AtelierCore
import AtelierAssets
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import AtelierDelivery
import AtelierInsights
import AtelierPrivacy
import AtelierAccess
import Foundation

/// Every store and domain service of a process, each built once from the configuration: the HTTP handlers, the
/// edge, the background work and the command line take them from here instead of building their own.
/// The stores are small values (settings, a clock, a cipher): a copy is as good as the original.
public final class AppServices: Sendable {
    // MARK: inputs

    public let configuration: AtelierConfiguration
    public let database: any DatabaseClient
    public let clock: WallClock
    /// Seals and opens customer personal data (`PersonalDataKeys.load`).
    public let cipher: PersonalDataCipher
    /// The configured payment providers' API clients; their HTTP clients belong to the caller's service group.
    public let gateways: PaymentGateways
    /// Products and template versions kept between requests while the catalog revision holds; nil where no
    /// response cache tells the revision (the `worker` command, which answers no requests).
    public let memo: CatalogMemo?
    /// Where asset bytes are kept, as the configuration asks (`AssetStorageFactory.make`).
    public let assetStorage: any AssetStorage

    // MARK: catalog

    public let products: ProductStore
    public let templates: TemplateStore
    public let inventory: InventoryStore
    public let categories: CategoryStore
    public let catalogImport: CatalogImport
    public let shippingMethods: ShippingMethodStore
    public let taxRates: TaxRateStore

    // MARK: customization and assets

    public let sessions: SessionStore
    public let jobs: JobQueue
    /// Uploads, checked against the configured pixel limit.
    public let assets: AssetStore
    /// The preview job's store: built without the upload pixel limit (the default), as the job always had it. It
    /// only stores images the server drew (`store`), which checks no limit, so it behaves as `assets` would; kept
    /// apart so that no caller's store changes its arguments.
    public let previewAssets: AssetStore

    // MARK: commerce

    public let carts: CartStore
    /// Cart reviews and quotes, with the memo.
    public let cartPricing: CartPricing
    public let cartAddition: CartAddition
    public let checkouts: CheckoutStore
    /// Starts checkouts. Its pricing has no memo: a checkout reads the catalog as it is in the database, never
    /// from this node's memory.
    public let checkoutService: CheckoutService
    public let checkoutPayments: CheckoutPayments
    public let cancellation: CheckoutCancellation
    /// Keeps checkout answers for replays, sealed with the cipher (they carry the access token and the client secret).
    public let idempotency: IdempotencyStore
    /// The store that releases a key after the provider refused a payment: built without the cipher, as that call
    /// always built it. Releasing deletes the row and reads no answer, so the cipher would change nothing; kept
    /// apart so that no caller's store changes its arguments.
    public let idempotencyReleases: IdempotencyStore
    public let paymentEvents: PaymentEventStore
    /// Looks pending payments up at their providers (the reconciliation job and `GET /checkout`).
    public let reconciliation: PaymentReconciliation
    public let orders: OrderStore
    /// Decides refunds; their jobs make them at the provider.
    public let refunds: Refunds
    public let refundStore: RefundStore
    public let salesLedger: SalesLedger

    // MARK: insights, delivery, privacy, access

    public let salesReports: SalesReports
    public let webhookSubscriptions: WebhookSubscriptionStore
    public let deliveries: EventDeliveryStore
    public let fulfillmentUpdates: FulfillmentUpdates
    public let privacy: PrivacyRequests
    public let apiKeys: APIKeyStore
    /// The console's staff accounts, their sessions and the sign-in throttle.
    public let staff: StaffStore
    public let staffSessions: StaffSessionStore
    public let loginThrottle: LoginThrottle

    /// Builds every store with `configuration`'s settings. What needs the process's own resources comes in made:
    /// the cipher (its key file), the gateways (HTTP clients run by the caller's service group) and the memo (it
    /// reads the response cache's revision).
    public init(configuration: AtelierConfiguration, database: any DatabaseClient, clock: WallClock = .system,
                cipher: PersonalDataCipher, gateways: PaymentGateways, memo: CatalogMemo? = nil) {
        self.configuration = configuration
        self.database = database
        self.clock = clock
        self.cipher = cipher
        self.gateways = gateways
        self.memo = memo
        let assetStorage = AssetStorageFactory.make(configuration)
        self.assetStorage = assetStorage

        let products = ProductStore(shopCurrency: configuration.catalog.shopCurrency, clock: clock)
        let templates = TemplateStore(clock: clock)
        self.products = products
        self.templates = templates
        inventory = InventoryStore(clock: clock)
        categories = CategoryStore(clock: clock)
        catalogImport = CatalogImport(products: products, templates: templates)
        shippingMethods = ShippingMethodStore(clock: clock)
        taxRates = TaxRateStore(clock: clock)

        let sessions = SessionStore(ttl: configuration.customization.sessionTTL, clock: clock)
        let jobs = JobQueue(backend: database.backend, clock: clock)
        self.sessions = sessions
        self.jobs = jobs
        let assetIdentity = AssetIdentity(key: cipher.derivedKey(purpose: "asset ids"))
        assets = AssetStore(storage: assetStorage, clock: clock, identity: assetIdentity, maxPixels: configuration.assets.maxImagePixels)
        previewAssets = AssetStore(storage: assetStorage, clock: clock, identity: assetIdentity)

        let carts = CartStore(ttl: configuration.commerce.cartTTL, limits: configuration.commerce.cartLimits, clock: clock)
        self.carts = carts
        cartPricing = CartPricing(currency: configuration.catalog.shopCurrency, taxMode: configuration.catalog.taxMode,
                                  calendar: configuration.catalog.shipDates, memo: memo, clock: clock)
        cartAddition = CartAddition(carts: carts, sessions: sessions, products: products, jobs: jobs, memo: memo)
        checkouts = CheckoutStore()
        checkoutService = CheckoutService(
            carts: carts,
            pricing: CartPricing(currency: configuration.catalog.shopCurrency, taxMode: configuration.catalog.taxMode,
                                 calendar: configuration.catalog.shipDates, memo: nil, clock: clock),
            cipher: cipher, providers: configuration.commerce.paymentProviders, lifetime: configuration.commerce.checkoutTTL,
            gateways: gateways, clock: clock)
        let checkoutPayments = CheckoutPayments(database: database, gateways: gateways, clock: clock)
        self.checkoutPayments = checkoutPayments
        cancellation = CheckoutCancellation(clock: clock)
        idempotency = IdempotencyStore(clock: clock, cipher: cipher)
        idempotencyReleases = IdempotencyStore(clock: clock)
        paymentEvents = PaymentEventStore()
        reconciliation = PaymentReconciliation(payments: checkoutPayments, clock: clock)
        orders = OrderStore(clock: clock)
        refunds = Refunds(gateways: gateways, clock: clock)
        refundStore = RefundStore()
        let salesLedger = SalesLedger(timeZone: configuration.catalog.shipDates.timeZone)
        self.salesLedger = salesLedger

        salesReports = SalesReports(ledger: salesLedger, currency: configuration.catalog.shopCurrency)
        webhookSubscriptions = WebhookSubscriptionStore(cipher: cipher, guardrail: configuration.delivery.webhooks.addressGuard, clock: clock)
        deliveries = EventDeliveryStore(clock: clock)
        fulfillmentUpdates = FulfillmentUpdates(clock: clock)
        privacy = PrivacyRequests(configuration: configuration, database: database, cipher: cipher, storage: assetStorage, clock: clock)
        apiKeys = APIKeyStore(clock: clock)
        staff = StaffStore(settings: configuration.staff, clock: clock)
        staffSessions = StaffSessionStore(settings: configuration.staff, clock: clock)
        loginThrottle = LoginThrottle(settings: configuration.staff, clock: clock)
    }
}
