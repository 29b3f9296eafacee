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

    /// The documented variables with their defaults; the README's table is written from this list.
    public static let variables: [(name: String, defaultValue: String, meaning: String)] = [
        ("PORT", "8080", "TCP port of the HTTP API"),
        ("ATELIER_HOSTNAME", "127.0.0.1", "address to bind; 0.0.0.0 to accept connections from other hosts"),
        ("DATABASE_URL", "(unset: SQLite)", "postgres://USER:PASSWORD@HOST:PORT/DB?sslmode=disable|prefer|require selects PostgreSQL"),
        ("ATELIER_DATA_DIR", "./data", "folder of the SQLite file (atelier.sqlite), local assets and outgoing mail"),
        ("ATELIER_DB_MAX_CONNECTIONS", "10 (PostgreSQL), 4 (SQLite)", "connection pool size"),
        ("ATELIER_MAX_BODY_BYTES", "1048576", "largest request body accepted; larger ones get 413"),
        ("ATELIER_LOG_LEVEL", "info", "trace, debug, info, notice, warning, error or critical"),
        ("ATELIER_LOG_FORMAT", "json", "json (one object per line) or text"),
        ("ATELIER_BOOTSTRAP_ADMIN_KEY", "true", "on an empty database, create and print one admin API key"),
        ("ATELIER_SHOP_CURRENCY", "USD", "the ISO 4217 currency every price is in"),
        ("ATELIER_SEED_DEMO", "true", "load the demo catalog on the first start of an empty database"),
        ("ATELIER_CATALOG_POLL_MS", "1000", "how often a node checks for catalog changes made by other nodes"),
        ("ATELIER_SESSION_TTL_SECONDS", "86400", "how long a customization session lives after its last update"),
        ("ATELIER_MAX_ASSET_BYTES", "10485760", "largest image upload accepted (bytes); uploads are streamed to storage, never held whole"),
        ("ATELIER_MAX_IMAGE_PIXELS", "25000000", "largest image upload accepted, in pixels (width × height), refused from its header before decoding"),
        ("ATELIER_UPLOAD_QUOTA_BYTES_PER_HOUR", "52428800", "bytes one client address may upload per hour (sliding); off for none"),
        ("ATELIER_RATE_LIMIT_IPV6_PREFIX", "56", "IPv6 clients are counted per network of this prefix length (48, 56 or 64 …)"),
        ("ATELIER_HTTP_IDLE_TIMEOUT_SECONDS", "60", "a connection without a request for this long is closed (slow or idle clients)"),
        ("ATELIER_SHUTDOWN_TIMEOUT_SECONDS", "20", "on SIGTERM, how long requests and jobs in flight may take to finish before they are cancelled"),
        ("ATELIER_METRICS_TOKEN", "(unset: /metrics answers loopback clients only)", "bearer token /metrics asks for from any address"),
        ("ATELIER_WORKERS", "1", "job workers inside serve; 0 leaves jobs to `atelier worker`"),
        ("ATELIER_CART_TTL_SECONDS", "2592000", "how long a cart lives after its last use (30 days)"),
        ("ATELIER_CART_MAX_QUANTITY", "100", "largest quantity of one cart line"),
        ("ATELIER_CART_MAX_LINES", "50", "most lines in one cart"),
        ("ATELIER_CART_MAX_UNITS", "500", "most items in one cart, all lines together"),
        ("ATELIER_TAX_MODE", "exclusive", "exclusive: tax is added to prices; inclusive: prices include tax"),
        ("ATELIER_SHOP_TIMEZONE", "UTC", "the shop's IANA time zone, for expected ship dates and reports"),
        ("ATELIER_LEAD_TIME_BUSINESS_DAYS", "false", "true: lead times count Monday to Friday only"),
        ("ATELIER_PAYMENT_PROVIDERS", "test (on loopback only)", "comma-separated providers checkouts may use: test, stripe, paypal"),
        ("ATELIER_ALLOW_TEST_PAYMENTS", "false", "true lets the test provider (shoppers mark their own checkout paid) run on a non-loopback address or beside a real provider"),
        ("ATELIER_CHECKOUT_TTL_SECONDS", "1800", "how long an unpaid checkout holds its stock (30 minutes)"),
        ("ATELIER_DATA_KEYS", "(unset: generated into ATELIER_DATA_DIR/keys.json)", "ID:BASE64[,ID:BASE64…] AES-256 keys for customer data; the first encrypts, all decrypt"),
        ("ATELIER_LOOKUP_KEY", "(required with ATELIER_DATA_KEYS)", "BASE64 32-byte key of the keyed hash customers are found by (never rotate)"),
        ("ATELIER_STRIPE_WEBHOOK_SECRETS", "(unset: Stripe webhooks refused)", "comma-separated whsec_… endpoint secrets; list the new one with the old while rotating"),
        ("ATELIER_STRIPE_SECRET_KEY", "(required with stripe)", "the secret API key sk_live_… / sk_test_…"),
        ("ATELIER_STRIPE_API_BASE", "https://api.stripe.com", "Stripe's API address (a Stripe-compatible server in tests)"),
        ("ATELIER_PAYPAL_CLIENT_ID", "(required with paypal)", "REST app client id"),
        ("ATELIER_PAYPAL_CLIENT_SECRET", "(required with paypal)", "REST app secret"),
        ("ATELIER_PAYPAL_WEBHOOK_ID", "(required with paypal)", "id of the webhook PayPal calls at /webhooks/paypal"),
        ("ATELIER_PAYPAL_API_BASE", "https://api-m.paypal.com", "https://api-m.sandbox.paypal.com for the sandbox"),
        ("ATELIER_PAYPAL_RETURN_PATH", "/checkout/{checkoutId}/return", "where PayPal sends the buyer after approving: ATELIER_STOREFRONT_URL + this path ({checkoutId} is replaced)"),
        ("ATELIER_PAYPAL_CANCEL_PATH", "/checkout/{checkoutId}/cancelled", "where PayPal sends the buyer who cancels: ATELIER_STOREFRONT_URL + this path ({checkoutId} is replaced)"),
        ("ATELIER_RECONCILE_INTERVAL_SECONDS", "60", "how often pending Stripe and PayPal payments older than 30 s are looked up at the provider, in case their webhook was lost"),
        ("ATELIER_PUBLIC_URL", "http://HOSTNAME:PORT", "the API's public address, for the asset and preview links sent to the fulfillment service"),
        ("ATELIER_FULFILLMENT_URL", "(unset: no fulfillment service)", "where paid orders are delivered (signed like partner webhooks)"),
        ("ATELIER_FULFILLMENT_SECRET", "(required with the URL)", "whsec_… shared with the fulfillment service: signs our deliveries and its updates to /webhooks/fulfillment"),
        ("ATELIER_CORS_ORIGINS", "(unset: no cross-origin calls)", "comma-separated storefront origins, like https://shop.example, allowed to call from browsers"),
        ("ATELIER_RATE_LIMITING", "true", "false turns every rate limit off (benchmarks, a limiter in front of several nodes)"),
        ("ATELIER_RATE_LIMIT_GENERAL", "600/60", "COUNT/SECONDS: public requests per client address and per session key; off for none"),
        ("ATELIER_RATE_LIMIT_CHECKOUT", "20/60", "COUNT/SECONDS for checkout and payment calls (POST /checkout…), in place of the general limit"),
        ("ATELIER_RATE_LIMIT_UPLOAD", "30/60", "COUNT/SECONDS for uploads and preview renders, in place of the general limit"),
        ("ATELIER_RATE_LIMIT_WEBHOOK", "300/60", "COUNT/SECONDS per client address for POST /webhooks/paypal (each unseen delivery costs a call to PayPal)"),
        ("ATELIER_TRUSTED_PROXY_HOPS", "0", "proxies of yours in front that append to X-Forwarded-For; the client is that many entries from the right"),
        ("ATELIER_RETENTION_CHECKOUT_DAYS", "30", "expired or cancelled checkouts that never became an order (with their sealed contact data) are deleted after this many days"),
        ("ATELIER_RETENTION_ASSET_HOURS", "6", "uploads and previews that no order, cart, session or open checkout uses are deleted after this many hours"),
        ("ATELIER_RETENTION_MAIL_DAYS", "90", "sealed copies of sent emails are deleted after this many days"),
        ("ATELIER_SHOP_NAME", "Atelier", "the shop's name in emails"),
        ("ATELIER_MAIL_FROM", "Atelier <orders@atelier.invalid>", "the sender of the shopper's emails"),
        ("ATELIER_STOREFRONT_URL", "ATELIER_PUBLIC_URL", "base of the order tracking link in emails (URL/orders/ORDER_ID?token=TOKEN) and of PayPal's return and cancel links"),
        ("ATELIER_SMTP_URL", "(unset: sealed .eml copies under ATELIER_DATA_DIR/mail)", "smtp://USER:PASSWORD@HOST:587 (STARTTLS required), smtps://…:465, or smtp://HOST:25?starttls=off for a local relay"),
        ("ATELIER_SMTP_CA_FILE", "(unset: the system's)", "PEM certificate authorities to trust for the SMTP relay"),
        ("ATELIER_WEBHOOK_ALLOW_PRIVATE", "false", "true: webhook URLs may point at loopback, private and link-local addresses"),
        ("ATELIER_WEBHOOK_ALLOWED_HOSTS", "(unset: any public host)", "comma-separated host names; when set, webhooks go only to these"),
        ("ATELIER_WEBHOOK_TIMEOUT_SECONDS", "15", "longest a webhook receiver may take to answer (connecting takes at most 5 s of it)"),
        ("ATELIER_WEBHOOK_WORKERS", "4", "concurrent webhook deliveries per process (with ATELIER_WORKERS above 0)"),
        ("ATELIER_WEBHOOK_RETRY_SCHEDULE", "5,60,300,1800,7200,21600,43200,86400,100800", "seconds to wait after each failed attempt (±10 %); after the last, the delivery is dead"),
        ("ATELIER_WEBHOOK_DISABLE_AFTER_SECONDS", "259200", "a subscription whose deliveries all failed for this long is disabled (3 days)"),
        ("ATELIER_WEBHOOK_SECRET_OVERLAP_SECONDS", "86400", "how long a rotated-out secret keeps signing beside the new one"),
        ("ATELIER_S3_BUCKET", "(unset: local folder)", "store assets in this S3-compatible bucket"),
        ("ATELIER_S3_ENDPOINT", "https://s3.REGION.amazonaws.com", "the S3 endpoint (MinIO, R2, moto …)"),
        ("ATELIER_S3_REGION", "us-east-1", "the region requests are signed for"),
        ("ATELIER_S3_ACCESS_KEY_ID", "(required with a bucket)", "access key id"),
        ("ATELIER_S3_SECRET_ACCESS_KEY", "(required with a bucket)", "secret access key"),
        ("ATELIER_S3_PATH_STYLE", "false", "true: ENDPOINT/BUCKET/KEY; false: BUCKET.ENDPOINT/KEY"),
    ]

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

    public static func load(
        environment env: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigurationError) -> AtelierConfiguration {
        var problems: [String] = []
        func value(_ name: String) -> String? {
            guard let raw = env[name]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
            return raw
        }
        func integer(_ name: String, default fallback: Int, in range: ClosedRange<Int>) -> Int {
            guard let raw = value(name) else { return fallback }
            guard let number = Int(raw), range.contains(number) else {
                problems.append("\(name)=\(raw): must be a whole number from \(range.lowerBound) to \(range.upperBound)")
                return fallback
            }
            return number
        }
        func boolean(_ name: String, default fallback: Bool) -> Bool {
            guard let raw = value(name) else { return fallback }
            switch raw.lowercased() {
            case "1", "true", "yes", "on": return true
            case "0", "false", "no", "off": return false
            default:
                problems.append("\(name)=\(raw): must be true or false")
                return fallback
            }
        }

        var config = AtelierConfiguration()
        config.port = integer("PORT", default: 8080, in: 1...65535)
        config.hostname = value("ATELIER_HOSTNAME") ?? "127.0.0.1"
        config.dataDirectory = value("ATELIER_DATA_DIR") ?? "./data"
        config.maxBodyBytes = integer("ATELIER_MAX_BODY_BYTES", default: 1_048_576, in: 1024...1_073_741_824)
        config.bootstrapAdminKey = boolean("ATELIER_BOOTSTRAP_ADMIN_KEY", default: true)
        config.seedDemoCatalog = boolean("ATELIER_SEED_DEMO", default: true)
        config.catalogPollInterval = .milliseconds(integer("ATELIER_CATALOG_POLL_MS", default: 1000, in: 50...600_000))
        config.sessionTTL = TimeInterval(integer("ATELIER_SESSION_TTL_SECONDS", default: 86_400, in: 60...31_536_000))
        config.maxAssetBytes = integer("ATELIER_MAX_ASSET_BYTES", default: 10 * 1_048_576, in: 1024...1_073_741_824)
        config.maxImagePixels = integer("ATELIER_MAX_IMAGE_PIXELS", default: 25_000_000, in: 1...268_435_456)
        config.httpIdleTimeout = .seconds(integer("ATELIER_HTTP_IDLE_TIMEOUT_SECONDS", default: 60, in: 1...3600))
        config.shutdownTimeout = .seconds(integer("ATELIER_SHUTDOWN_TIMEOUT_SECONDS", default: 20, in: 1...3600))
        if let token = value("ATELIER_METRICS_TOKEN") {
            if token.utf8.count < 16 || token.contains(where: { $0.isWhitespace }) {
                problems.append("ATELIER_METRICS_TOKEN: must be at least 16 characters without spaces (value not shown)")
            } else {
                config.metricsToken = token
            }
        }
        config.workers = integer("ATELIER_WORKERS", default: 1, in: 0...64)
        config.cartTTL = TimeInterval(integer("ATELIER_CART_TTL_SECONDS", default: 2_592_000, in: 3600...31_536_000))
        config.cartLimits = CartLimits(
            maxQuantityPerLine: integer("ATELIER_CART_MAX_QUANTITY", default: 100, in: 1...100_000),
            maxLines: integer("ATELIER_CART_MAX_LINES", default: 50, in: 1...1000),
            maxUnits: integer("ATELIER_CART_MAX_UNITS", default: 500, in: 1...1_000_000)
        )
        if let raw = value("ATELIER_TAX_MODE") {
            if let mode = TaxMode(rawValue: raw.lowercased()) {
                config.taxMode = mode
            } else {
                problems.append("ATELIER_TAX_MODE=\(raw): must be exclusive or inclusive")
            }
        }
        var timeZone = TimeZone(identifier: "UTC")!
        if let raw = value("ATELIER_SHOP_TIMEZONE") {
            if let zone = TimeZone(identifier: raw) {
                timeZone = zone
            } else {
                problems.append("ATELIER_SHOP_TIMEZONE=\(raw): must be an IANA time zone, like Europe/Berlin")
            }
        }
        if let raw = value("ATELIER_PAYMENT_PROVIDERS") {
            var providers = Set<PaymentProviderKind>()
            for name in raw.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) where !name.isEmpty {
                if let provider = PaymentProviderKind(rawValue: name) { providers.insert(provider) } else {
                    problems.append("ATELIER_PAYMENT_PROVIDERS=\(raw): unknown provider \(name); use test, stripe or paypal")
                }
            }
            if providers.isEmpty { problems.append("ATELIER_PAYMENT_PROVIDERS=\(raw): name at least one provider") }
            config.paymentProviders = providers
        }
        config.allowTestPayments = boolean("ATELIER_ALLOW_TEST_PAYMENTS", default: false)
        if value("ATELIER_PAYMENT_PROVIDERS") == nil, !config.allowTestPayments, !Self.isLoopback(config.hostname) {
            problems.append("ATELIER_PAYMENT_PROVIDERS: required when binding to \(config.hostname) (the default, test, is for loopback only)")
        } else if let problem = config.testPaymentsProblem {
            problems.append(problem)
        }
        if let raw = value("ATELIER_STRIPE_WEBHOOK_SECRETS") {
            let secrets = raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            if secrets.isEmpty || !secrets.allSatisfy({ $0.hasPrefix("whsec_") && $0.count > 10 }) {
                problems.append("ATELIER_STRIPE_WEBHOOK_SECRETS: each secret must look like whsec_… (value not shown)")
            }
            config.stripeWebhookSecrets = secrets
        }
        if let key = value("ATELIER_STRIPE_SECRET_KEY") {
            let base = value("ATELIER_STRIPE_API_BASE") ?? "https://api.stripe.com"
            if !Self.isHTTPURL(base) { problems.append("ATELIER_STRIPE_API_BASE=\(base): must be an http(s) URL") }
            config.stripe = StripeSettings(secretKey: key, apiBase: base)
        }
        if config.paymentProviders.contains(.stripe) {
            if config.stripe == nil { problems.append("ATELIER_STRIPE_SECRET_KEY: required when ATELIER_PAYMENT_PROVIDERS lists stripe") }
            if config.stripeWebhookSecrets.isEmpty {
                problems.append("ATELIER_STRIPE_WEBHOOK_SECRETS: required when ATELIER_PAYMENT_PROVIDERS lists stripe (payments are confirmed by webhook)")
            }
        }
        if let id = value("ATELIER_PAYPAL_CLIENT_ID") {
            let base = value("ATELIER_PAYPAL_API_BASE") ?? "https://api-m.paypal.com"
            if !Self.isHTTPURL(base) { problems.append("ATELIER_PAYPAL_API_BASE=\(base): must be an http(s) URL") }
            let secret = value("ATELIER_PAYPAL_CLIENT_SECRET"), webhook = value("ATELIER_PAYPAL_WEBHOOK_ID")
            if secret == nil { problems.append("ATELIER_PAYPAL_CLIENT_SECRET: required with ATELIER_PAYPAL_CLIENT_ID") }
            if webhook == nil { problems.append("ATELIER_PAYPAL_WEBHOOK_ID: required with ATELIER_PAYPAL_CLIENT_ID (webhooks are verified with it)") }
            if let secret, let webhook {
                config.paypal = PayPalSettings(clientId: id, clientSecret: secret, apiBase: base, webhookId: webhook)
            }
        } else if config.paymentProviders.contains(.paypal) {
            problems.append("ATELIER_PAYPAL_CLIENT_ID: required when ATELIER_PAYMENT_PROVIDERS lists paypal")
        }
        config.webhooks.allowPrivateTargets = boolean("ATELIER_WEBHOOK_ALLOW_PRIVATE", default: false)
        if let raw = value("ATELIER_WEBHOOK_ALLOWED_HOSTS") {
            config.webhooks.allowedHosts = Set(raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty })
        }
        let urlHost = config.hostname.contains(":") ? "[\(config.hostname)]" : config.hostname  // IPv6 in brackets
        let publicURL = value("ATELIER_PUBLIC_URL") ?? "http://\(urlHost):\(config.port)"
        if !Self.isHTTPURL(publicURL) { problems.append("ATELIER_PUBLIC_URL=\(publicURL): must be an http(s) URL") }
        if let url = value("ATELIER_FULFILLMENT_URL") {
            if AddressGuard.checkSyntax(url) != nil { problems.append("ATELIER_FULFILLMENT_URL=\(url): must be an http(s) URL") }
            if let secret = value("ATELIER_FULFILLMENT_SECRET"), WebhookSigner.signature(secret: secret, id: "x", timestamp: 0, body: []) != nil {
                config.fulfillment = FulfillmentSettings(url: url, secret: secret, publicBaseURL: publicURL)
            } else {
                problems.append("ATELIER_FULFILLMENT_SECRET: required with ATELIER_FULFILLMENT_URL, as whsec_ and base64 (value not shown)")
            }
        }
        if let raw = value("ATELIER_CORS_ORIGINS") {
            for origin in raw.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !origin.isEmpty {
                // An origin is scheme://host[:port], nothing after it.
                if let url = URLComponents(string: origin), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil,
                   url.path.isEmpty, url.query == nil, url.fragment == nil, url.user == nil {
                    config.corsOrigins.insert(origin)
                } else {
                    problems.append("ATELIER_CORS_ORIGINS: \(origin) is not an origin like https://shop.example")
                }
            }
        }
        if boolean("ATELIER_RATE_LIMITING", default: true) {
            var limits = RateLimitSettings.production
            let classes: [(String, WritableKeyPath<RateLimitSettings, RateLimit?>)] = [
                ("ATELIER_RATE_LIMIT_GENERAL", \.general), ("ATELIER_RATE_LIMIT_CHECKOUT", \.checkout), ("ATELIER_RATE_LIMIT_UPLOAD", \.upload),
                ("ATELIER_RATE_LIMIT_WEBHOOK", \.webhook),
            ]
            for (name, path) in classes {
                guard let raw = value(name) else { continue }
                if let parsed = RateLimit.parse(raw) { limits[keyPath: path] = parsed } else {
                    problems.append("\(name)=\(raw): must be COUNT/SECONDS, like 600/60, or off")
                }
            }
            config.rateLimits = limits
        }
        config.rateLimits.trustedProxyHops = integer("ATELIER_TRUSTED_PROXY_HOPS", default: 0, in: 0...10)
        config.rateLimits.ipv6PrefixLength = integer("ATELIER_RATE_LIMIT_IPV6_PREFIX", default: 56, in: 16...128)
        if let raw = value("ATELIER_UPLOAD_QUOTA_BYTES_PER_HOUR") {
            if ["off", "none", "0"].contains(raw.lowercased()) {
                config.rateLimits.uploadBytesPerHour = nil
            } else if let bytes = Int(raw), (1024...1_099_511_627_776).contains(bytes) {
                config.rateLimits.uploadBytesPerHour = bytes
            } else {
                problems.append("ATELIER_UPLOAD_QUOTA_BYTES_PER_HOUR=\(raw): must be a number of bytes from 1024, or off")
            }
        }
        config.retention.checkoutDays = integer("ATELIER_RETENTION_CHECKOUT_DAYS", default: 30, in: 1...3650)
        config.retention.assetHours = integer("ATELIER_RETENTION_ASSET_HOURS", default: 6, in: 1...87_600)
        config.retention.mailDays = integer("ATELIER_RETENTION_MAIL_DAYS", default: 90, in: 1...3650)
        let storefront = value("ATELIER_STOREFRONT_URL") ?? publicURL
        if !Self.isHTTPURL(storefront) { problems.append("ATELIER_STOREFRONT_URL=\(storefront): must be an http(s) URL") }
        var transport = MailSettings.Transport.files(URL(fileURLWithPath: config.dataDirectory).appendingPathComponent("mail").path)
        if let raw = value("ATELIER_SMTP_URL") {
            let (smtp, problem) = SMTPSettings.parse(raw, caFile: value("ATELIER_SMTP_CA_FILE"))
            if let smtp { transport = .smtp(smtp) } else {
                // The URL may carry a password: never echo it.
                problems.append("ATELIER_SMTP_URL: \(problem ?? "unusable") (value not shown)")
            }
        }
        let from = value("ATELIER_MAIL_FROM") ?? "Atelier <orders@atelier.invalid>"
        if !MailMessage.address(of: from).contains("@") || from.contains(where: \.isNewline) {
            problems.append("ATELIER_MAIL_FROM=\(from): must be an address, like Shop <orders@shop.example>")
        }
        config.mail = MailSettings(from: from, shopName: value("ATELIER_SHOP_NAME") ?? "Atelier", trackingBaseURL: storefront, transport: transport)
        let storefrontBase = storefront.hasSuffix("/") ? String(storefront.dropLast()) : storefront
        for (name, fallback, path) in [("ATELIER_PAYPAL_RETURN_PATH", "/checkout/{checkoutId}/return", \PayPalSettings.returnURL),
                                       ("ATELIER_PAYPAL_CANCEL_PATH", "/checkout/{checkoutId}/cancelled", \PayPalSettings.cancelURL)] {
            let raw = value(name) ?? fallback
            // A path on the storefront, with a query if need be: PayPal appends its own parameters (token, PayerID).
            guard raw.hasPrefix("/"), !raw.hasPrefix("//"), !raw.contains(where: { $0.isWhitespace || $0.isNewline || $0 == "#" }),
                  Self.isHTTPURL(storefrontBase + raw.replacingOccurrences(of: "{checkoutId}", with: "chk_0"))
            else {
                problems.append("\(name)=\(raw): must be a path on the storefront, like \(fallback)")
                continue
            }
            config.paypal?[keyPath: path] = storefrontBase + raw
        }
        config.reconcileInterval = TimeInterval(integer("ATELIER_RECONCILE_INTERVAL_SECONDS", default: 60, in: 5...3600))
        config.webhooks.totalTimeout = .seconds(integer("ATELIER_WEBHOOK_TIMEOUT_SECONDS", default: 15, in: 1...120))
        config.webhooks.connectTimeout = min(.seconds(5), config.webhooks.totalTimeout)
        config.webhooks.workers = integer("ATELIER_WEBHOOK_WORKERS", default: 4, in: 1...64)
        config.webhooks.secretOverlap = TimeInterval(integer("ATELIER_WEBHOOK_SECRET_OVERLAP_SECONDS", default: 86_400, in: 0...2_592_000))
        config.webhooks.retry.disableAfter = TimeInterval(integer("ATELIER_WEBHOOK_DISABLE_AFTER_SECONDS", default: 259_200, in: 60...31_536_000))
        if let raw = value("ATELIER_WEBHOOK_RETRY_SCHEDULE") {
            let delays = raw.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            if delays.isEmpty || delays.count > 30 || delays.contains(where: { $0 == nil || $0! < 0 || $0! > 604_800 }) {
                problems.append("ATELIER_WEBHOOK_RETRY_SCHEDULE=\(raw): must be 1–30 comma-separated waits in seconds, each at most 604800")
            } else {
                config.webhooks.retry.delays = delays.map { TimeInterval($0!) }
            }
        }
        config.checkoutTTL = TimeInterval(integer("ATELIER_CHECKOUT_TTL_SECONDS", default: 1800, in: 60...86_400))
        switch (value("ATELIER_DATA_KEYS"), value("ATELIER_LOOKUP_KEY")) {
        case (nil, nil):
            break
        case (let keys?, let lookup?):
            do {
                config.personalDataKeys = try PersonalDataKeys.parse(keys: keys, lookup: lookup)
            } catch {
                // Never echo key material.
                problems.append("ATELIER_DATA_KEYS/ATELIER_LOOKUP_KEY: \(error.reason)")
            }
        default:
            problems.append("ATELIER_DATA_KEYS and ATELIER_LOOKUP_KEY: set both or neither")
        }
        config.shipDates = ShipDateCalendar(timeZone: timeZone, businessDays: boolean("ATELIER_LEAD_TIME_BUSINESS_DAYS", default: false))
        if let bucket = value("ATELIER_S3_BUCKET") {
            let region = value("ATELIER_S3_REGION") ?? "us-east-1"
            let endpointText = value("ATELIER_S3_ENDPOINT") ?? "https://s3.\(region).amazonaws.com"
            let endpoint = URL(string: endpointText).flatMap { ["http", "https"].contains($0.scheme ?? "") && $0.host != nil ? $0 : nil }
            if endpoint == nil { problems.append("ATELIER_S3_ENDPOINT=\(endpointText): must be an http(s) URL") }
            let keyID = value("ATELIER_S3_ACCESS_KEY_ID"), secret = value("ATELIER_S3_SECRET_ACCESS_KEY")
            if keyID == nil { problems.append("ATELIER_S3_ACCESS_KEY_ID: required when ATELIER_S3_BUCKET is set") }
            if secret == nil { problems.append("ATELIER_S3_SECRET_ACCESS_KEY: required when ATELIER_S3_BUCKET is set") }
            let pathStyle = boolean("ATELIER_S3_PATH_STYLE", default: false)
            if let endpoint, let keyID, let secret {
                config.s3 = S3Settings(endpoint: endpoint, bucket: bucket, region: region, accessKeyID: keyID,
                                       secretAccessKey: secret, pathStyle: pathStyle)
            }
        }
        if let raw = value("ATELIER_SHOP_CURRENCY") {
            if Money.isCurrencyCode(raw) {
                config.shopCurrency = raw
            } else {
                problems.append("ATELIER_SHOP_CURRENCY=\(raw): must be a three-letter ISO 4217 code in capitals, like USD")
            }
        }

        if let raw = value("ATELIER_LOG_LEVEL") {
            if let level = Logger.Level(rawValue: raw.lowercased()) {
                config.logLevel = level
            } else {
                problems.append("ATELIER_LOG_LEVEL=\(raw): must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        if let raw = value("ATELIER_LOG_FORMAT") {
            if let format = LogFormat(rawValue: raw.lowercased()) {
                config.logFormat = format
            } else {
                problems.append("ATELIER_LOG_FORMAT=\(raw): must be json or text")
            }
        }

        if let url = value("DATABASE_URL") {
            let connections = integer("ATELIER_DB_MAX_CONNECTIONS", default: 10, in: 1...500)
            do {
                config.database = .postgres(try PostgresSettings(url: url, maxConnections: connections))
            } catch {
                // The URL may carry a password: never echo it.
                problems.append("DATABASE_URL: \(error.reason)")
            }
        } else {
            let connections = integer("ATELIER_DB_MAX_CONNECTIONS", default: 4, in: 1...64)
            let folder = config.dataDirectory.hasSuffix("/") ? String(config.dataDirectory.dropLast()) : config.dataDirectory
            let path = folder + "/atelier.sqlite"
            config.database = .sqlite(.file(path: path), poolSize: connections)
        }

        if !problems.isEmpty { throw ConfigurationError(problems: problems) }
        return config
    }
}

/// Every environment variable that could not be used, with what it should look like.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public var problems: [String]

    public var description: String {
        "invalid configuration:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}
