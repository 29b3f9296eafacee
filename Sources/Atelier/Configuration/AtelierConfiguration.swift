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
import Logging

/// Every setting of the service, read once from the environment at start.
///
/// `load(environment:)` checks every variable and reports all bad ones together, so an operator fixes
/// a deployment in one go. Tests build the struct in code instead.
public struct AtelierConfiguration: Sendable {
    public enum LogFormat: String, Sendable { case json, text }

    public var hostname: String
    public var port: Int
    public var dataDirectory: String
    public var database: DatabaseSetting
    public var maxBodyBytes: Int
    public var logLevel: Logger.Level
    public var logFormat: LogFormat
    /// Whether `serve` mints and prints an admin key when the database has none.
    public var bootstrapAdminKey: Bool
    /// The one currency the shop sells in (ISO 4217).
    public var shopCurrency: String
    /// Whether the first start of a database loads the demo catalog.
    public var seedDemoCatalog: Bool
    /// How often each node checks whether another node changed the catalog (cached answers).
    public var catalogPollInterval: Duration
    /// How long a customization session lives after its last update.
    public var sessionTTL: TimeInterval
    /// Largest image upload accepted.
    public var maxAssetBytes: Int
    /// Largest image accepted, in pixels; larger ones are refused from their header, before any decoding.
    public var maxImagePixels = 25_000_000
    /// Job workers `serve` runs in its own process (0: leave the jobs to `atelier worker`).
    public var workers: Int
    /// An S3-compatible bucket for assets; nil keeps them under the data folder.
    public var s3: S3Settings?
    /// How long a cart lives after its last use.
    public var cartTTL: TimeInterval
    public var cartLimits: CartLimits
    /// Whether catalog prices include tax.
    public var taxMode: TaxMode
    /// The shop's time zone and working days, for expected ship dates.
    public var shipDates: ShipDateCalendar
    /// Payment providers checkouts may use.
    public var paymentProviders: Set<PaymentProviderKind>
    /// Whether the test provider (a shopper marks their own checkout paid) may run where a real shop could
    /// take orders: on an address other than loopback, or next to a real provider.
    public var allowTestPayments = false
    /// The bearer token `/metrics` asks for; nil serves it to loopback clients only.
    public var metricsToken: String?
    /// How long a connection may stay open without a request, and how long a request's head may take.
    public var httpIdleTimeout: Duration = .seconds(60)
    /// How long SIGTERM waits for requests and jobs in flight to finish before cancelling them.
    public var shutdownTimeout: Duration = .seconds(20)
    /// How long an unpaid checkout holds its stock.
    public var checkoutTTL: TimeInterval
    /// Keys for customer personal data; nil keeps generated keys in `ATELIER_DATA_DIR/keys.json`.
    public var personalDataKeys: PersonalDataCipher?
    /// Stripe's webhook endpoint secrets (`whsec_…`); several while one rotates. Empty: webhooks refused.
    public var stripeWebhookSecrets: [String] = []
    /// Stripe's API (needed when `stripe` is a payment provider).
    public var stripe: StripeSettings?
    /// PayPal's API and webhook id (needed when `paypal` is a payment provider).
    public var paypal: PayPalSettings?
    /// How often payments their webhooks did not report are looked up at the provider.
    public var reconcileInterval: TimeInterval = 60
    /// Outgoing partner webhooks.
    public var webhooks = WebhookSettings()
    /// The fulfillment service paid orders go to; nil: none.
    public var fulfillment: FulfillmentSettings?
    /// The shopper's emails; nil sends none (tests that do not need them).
    public var mail: MailSettings?
    /// Browser origins (the storefronts) allowed to call the API cross-origin, compared exactly.
    public var corsOrigins: Set<String> = []
    /// Rate limits of the public API; off unless loaded from the environment (or set by a test).
    public var rateLimits = RateLimitSettings.off
    /// How long abandoned checkouts, unused assets and email copies are kept.
    public var retention = RetentionSettings()

    public init(
        hostname: String = "127.0.0.1",
        port: Int = 8080,
        dataDirectory: String = "./data",
        database: DatabaseSetting = .sqlite(.memory, poolSize: 1),
        maxBodyBytes: Int = 1_048_576,
        logLevel: Logger.Level = .info,
        logFormat: LogFormat = .json,
        bootstrapAdminKey: Bool = true,
        shopCurrency: String = "USD",
        seedDemoCatalog: Bool = false,
        catalogPollInterval: Duration = .seconds(1),
        sessionTTL: TimeInterval = 86_400,
        maxAssetBytes: Int = 10 * 1_048_576,
        workers: Int = 1,
        cartTTL: TimeInterval = 2_592_000,
        cartLimits: CartLimits = .init(),
        taxMode: TaxMode = .exclusive,
        shipDates: ShipDateCalendar = .init(),
        paymentProviders: Set<PaymentProviderKind> = [.test],
        checkoutTTL: TimeInterval = 1800,
        personalDataKeys: PersonalDataCipher? = nil
    ) {
        self.hostname = hostname
        self.port = port
        self.dataDirectory = dataDirectory
        self.database = database
        self.maxBodyBytes = maxBodyBytes
        self.logLevel = logLevel
        self.logFormat = logFormat
        self.bootstrapAdminKey = bootstrapAdminKey
        self.shopCurrency = shopCurrency
        self.seedDemoCatalog = seedDemoCatalog
        self.catalogPollInterval = catalogPollInterval
        self.sessionTTL = sessionTTL
        self.maxAssetBytes = maxAssetBytes
        self.workers = workers
        self.cartTTL = cartTTL
        self.cartLimits = cartLimits
        self.taxMode = taxMode
        self.shipDates = shipDates
        self.paymentProviders = paymentProviders
        self.checkoutTTL = checkoutTTL
        self.personalDataKeys = personalDataKeys
    }

    /// Where uploads are written while they arrive, before they are checked and stored.
    public var uploadStagingDirectory: String {
        URL(fileURLWithPath: dataDirectory).appendingPathComponent("uploads").path
    }

    /// Where local assets are kept.
    public var assetDirectory: URL {
        URL(fileURLWithPath: dataDirectory).appendingPathComponent("assets")
    }

    /// Why the test provider may not run as configured, or nil. It marks checkouts paid without money, so
    /// it runs only where no real shopper can reach it (a loopback address) and never beside a real
    /// provider, unless `ATELIER_ALLOW_TEST_PAYMENTS=true` says so. Checked again after `serve --hostname`.
    public var testPaymentsProblem: String? {
        guard paymentProviders.contains(.test), !allowTestPayments else { return nil }
        if paymentProviders.count > 1 {
            let names = paymentProviders.map(\.rawValue).sorted().joined(separator: ",")
            return "ATELIER_PAYMENT_PROVIDERS=\(names): the test provider marks orders paid without money and may not run beside a real provider; drop test, or set ATELIER_ALLOW_TEST_PAYMENTS=true"
        }
        if !Self.isLoopback(hostname) {
            return "ATELIER_PAYMENT_PROVIDERS=test on \(hostname): the test provider marks orders paid without money and runs on loopback only; name a real provider, or set ATELIER_ALLOW_TEST_PAYMENTS=true"
        }
        return nil
    }

    /// 127.0.0.0/8, ::1 and localhost: addresses only this machine reaches.
    public static func isLoopback(_ host: String) -> Bool {
        let host = host.lowercased()
        if host == "localhost" || host == "::1" || host == "[::1]" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    static func isHTTPURL(_ text: String) -> Bool {
        guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else { return false }
        return true
    }
}
