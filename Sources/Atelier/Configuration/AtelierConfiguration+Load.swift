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

extension AtelierConfiguration {
    /// Reads and checks every variable; all bad ones are reported together, none echoing a secret.
    public static func load(
        environment env: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigurationError) -> AtelierConfiguration {
        var reader = EnvironmentReader(env)
        var config = AtelierConfiguration()
        config.port = reader.integer("PORT", default: 8080, in: 1...65535)
        config.hostname = reader.value("ATELIER_HOSTNAME") ?? "127.0.0.1"
        config.dataDirectory = reader.value("ATELIER_DATA_DIR") ?? "./data"
        config.maxBodyBytes = reader.integer("ATELIER_MAX_BODY_BYTES", default: 1_048_576, in: 1024...1_073_741_824)
        config.bootstrapAdminKey = reader.boolean("ATELIER_BOOTSTRAP_ADMIN_KEY", default: true)
        config.seedDemoCatalog = reader.boolean("ATELIER_SEED_DEMO", default: true)
        config.catalogPollInterval = .milliseconds(reader.integer("ATELIER_CATALOG_POLL_MS", default: 1000, in: 50...600_000))
        config.sessionTTL = TimeInterval(reader.integer("ATELIER_SESSION_TTL_SECONDS", default: 86_400, in: 60...31_536_000))
        config.maxAssetBytes = reader.integer("ATELIER_MAX_ASSET_BYTES", default: 10 * 1_048_576, in: 1024...1_073_741_824)
        config.maxImagePixels = reader.integer("ATELIER_MAX_IMAGE_PIXELS", default: 25_000_000, in: 1...268_435_456)
        config.httpIdleTimeout = .seconds(reader.integer("ATELIER_HTTP_IDLE_TIMEOUT_SECONDS", default: 60, in: 1...3600))
        config.shutdownTimeout = .seconds(reader.integer("ATELIER_SHUTDOWN_TIMEOUT_SECONDS", default: 20, in: 1...3600))
        if let token = reader.value("ATELIER_METRICS_TOKEN") {
            if token.utf8.count < 16 || token.contains(where: { $0.isWhitespace }) {
                reader.problems.append("ATELIER_METRICS_TOKEN: must be at least 16 characters without spaces (value not shown)")
            } else {
                config.metricsToken = token
            }
        }
        config.workers = reader.integer("ATELIER_WORKERS", default: 1, in: 0...64)
        config.cartTTL = TimeInterval(reader.integer("ATELIER_CART_TTL_SECONDS", default: 2_592_000, in: 3600...31_536_000))
        config.cartLimits = CartLimits(
            maxQuantityPerLine: reader.integer("ATELIER_CART_MAX_QUANTITY", default: 100, in: 1...100_000),
            maxLines: reader.integer("ATELIER_CART_MAX_LINES", default: 50, in: 1...1000),
            maxUnits: reader.integer("ATELIER_CART_MAX_UNITS", default: 500, in: 1...1_000_000)
        )
        if let raw = reader.value("ATELIER_TAX_MODE") {
            if let mode = TaxMode(rawValue: raw.lowercased()) {
                config.taxMode = mode
            } else {
                reader.problems.append("ATELIER_TAX_MODE=\(raw): must be exclusive or inclusive")
            }
        }
        var timeZone = TimeZone(identifier: "UTC")!
        if let raw = reader.value("ATELIER_SHOP_TIMEZONE") {
            if let zone = TimeZone(identifier: raw) {
                timeZone = zone
            } else {
                reader.problems.append("ATELIER_SHOP_TIMEZONE=\(raw): must be an IANA time zone, like Europe/Berlin")
            }
        }
        if let raw = reader.value("ATELIER_PAYMENT_PROVIDERS") {
            var providers = Set<PaymentProviderKind>()
            for name in raw.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) where !name.isEmpty {
                if let provider = PaymentProviderKind(rawValue: name) { providers.insert(provider) } else {
                    reader.problems.append("ATELIER_PAYMENT_PROVIDERS=\(raw): unknown provider \(name); use test, stripe or paypal")
                }
            }
            if providers.isEmpty { reader.problems.append("ATELIER_PAYMENT_PROVIDERS=\(raw): name at least one provider") }
            config.paymentProviders = providers
        }
        config.allowTestPayments = reader.boolean("ATELIER_ALLOW_TEST_PAYMENTS", default: false)
        if reader.value("ATELIER_PAYMENT_PROVIDERS") == nil, !config.allowTestPayments, !Self.isLoopback(config.hostname) {
            reader.problems.append("ATELIER_PAYMENT_PROVIDERS: required when binding to \(config.hostname) (the default, test, is for loopback only)")
        } else if let problem = config.testPaymentsProblem {
            reader.problems.append(problem)
        }
        if let raw = reader.value("ATELIER_STRIPE_WEBHOOK_SECRETS") {
            let secrets = raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            if secrets.isEmpty || !secrets.allSatisfy({ $0.hasPrefix("whsec_") && $0.count > 10 }) {
                reader.problems.append("ATELIER_STRIPE_WEBHOOK_SECRETS: each secret must look like whsec_… (value not shown)")
            }
            config.stripeWebhookSecrets = secrets
        }
        if let key = reader.value("ATELIER_STRIPE_SECRET_KEY") {
            let base = reader.value("ATELIER_STRIPE_API_BASE") ?? "https://api.stripe.com"
            if !Self.isHTTPURL(base) { reader.problems.append("ATELIER_STRIPE_API_BASE=\(base): must be an http(s) URL") }
            config.stripe = StripeSettings(secretKey: key, apiBase: base)
        }
        if config.paymentProviders.contains(.stripe) {
            if config.stripe == nil { reader.problems.append("ATELIER_STRIPE_SECRET_KEY: required when ATELIER_PAYMENT_PROVIDERS lists stripe") }
            if config.stripeWebhookSecrets.isEmpty {
                reader.problems.append("ATELIER_STRIPE_WEBHOOK_SECRETS: required when ATELIER_PAYMENT_PROVIDERS lists stripe (payments are confirmed by webhook)")
            }
        }
        if let id = reader.value("ATELIER_PAYPAL_CLIENT_ID") {
            let base = reader.value("ATELIER_PAYPAL_API_BASE") ?? "https://api-m.paypal.com"
            if !Self.isHTTPURL(base) { reader.problems.append("ATELIER_PAYPAL_API_BASE=\(base): must be an http(s) URL") }
            let secret = reader.value("ATELIER_PAYPAL_CLIENT_SECRET"), webhook = reader.value("ATELIER_PAYPAL_WEBHOOK_ID")
            if secret == nil { reader.problems.append("ATELIER_PAYPAL_CLIENT_SECRET: required with ATELIER_PAYPAL_CLIENT_ID") }
            if webhook == nil { reader.problems.append("ATELIER_PAYPAL_WEBHOOK_ID: required with ATELIER_PAYPAL_CLIENT_ID (webhooks are verified with it)") }
            if let secret, let webhook {
                config.paypal = PayPalSettings(clientId: id, clientSecret: secret, apiBase: base, webhookId: webhook)
            }
        } else if config.paymentProviders.contains(.paypal) {
            reader.problems.append("ATELIER_PAYPAL_CLIENT_ID: required when ATELIER_PAYMENT_PROVIDERS lists paypal")
        }
        config.webhooks.allowPrivateTargets = reader.boolean("ATELIER_WEBHOOK_ALLOW_PRIVATE", default: false)
        if let raw = reader.value("ATELIER_WEBHOOK_ALLOWED_HOSTS") {
            config.webhooks.allowedHosts = Set(raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty })
        }
        let urlHost = config.hostname.contains(":") ? "[\(config.hostname)]" : config.hostname  // IPv6 in brackets
        let publicURL = reader.value("ATELIER_PUBLIC_URL") ?? "http://\(urlHost):\(config.port)"
        if !Self.isHTTPURL(publicURL) { reader.problems.append("ATELIER_PUBLIC_URL=\(publicURL): must be an http(s) URL") }
        if let url = reader.value("ATELIER_FULFILLMENT_URL") {
            if AddressGuard.checkSyntax(url) != nil { reader.problems.append("ATELIER_FULFILLMENT_URL=\(url): must be an http(s) URL") }
            if let secret = reader.value("ATELIER_FULFILLMENT_SECRET"), WebhookSigner.signature(secret: secret, id: "x", timestamp: 0, body: []) != nil {
                config.fulfillment = FulfillmentSettings(url: url, secret: secret, publicBaseURL: publicURL)
            } else {
                reader.problems.append("ATELIER_FULFILLMENT_SECRET: required with ATELIER_FULFILLMENT_URL, as whsec_ and base64 (value not shown)")
            }
        }
        if let raw = reader.value("ATELIER_CORS_ORIGINS") {
            for origin in raw.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !origin.isEmpty {
                // An origin is scheme://host[:port], nothing after it.
                if let url = URLComponents(string: origin), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil,
                   url.path.isEmpty, url.query == nil, url.fragment == nil, url.user == nil {
                    config.corsOrigins.insert(origin)
                } else {
                    reader.problems.append("ATELIER_CORS_ORIGINS: \(origin) is not an origin like https://shop.example")
                }
            }
        }
        if reader.boolean("ATELIER_RATE_LIMITING", default: true) {
            var limits = RateLimitSettings.production
            let classes: [(String, WritableKeyPath<RateLimitSettings, RateLimit?>)] = [
                ("ATELIER_RATE_LIMIT_GENERAL", \.general), ("ATELIER_RATE_LIMIT_CHECKOUT", \.checkout), ("ATELIER_RATE_LIMIT_UPLOAD", \.upload),
                ("ATELIER_RATE_LIMIT_WEBHOOK", \.webhook),
            ]
            for (name, path) in classes {
                guard let raw = reader.value(name) else { continue }
                if let parsed = RateLimit.parse(raw) { limits[keyPath: path] = parsed } else {
                    reader.problems.append("\(name)=\(raw): must be COUNT/SECONDS, like 600/60, or off")
                }
            }
            config.rateLimits = limits
        }
        config.rateLimits.trustedProxyHops = reader.integer("ATELIER_TRUSTED_PROXY_HOPS", default: 0, in: 0...10)
        config.rateLimits.ipv6PrefixLength = reader.integer("ATELIER_RATE_LIMIT_IPV6_PREFIX", default: 56, in: 16...128)
        if let raw = reader.value("ATELIER_UPLOAD_QUOTA_BYTES_PER_HOUR") {
            if ["off", "none", "0"].contains(raw.lowercased()) {
                config.rateLimits.uploadBytesPerHour = nil
            } else if let bytes = Int(raw), (1024...1_099_511_627_776).contains(bytes) {
                config.rateLimits.uploadBytesPerHour = bytes
            } else {
                reader.problems.append("ATELIER_UPLOAD_QUOTA_BYTES_PER_HOUR=\(raw): must be a number of bytes from 1024, or off")
            }
        }
        config.retention.checkoutDays = reader.integer("ATELIER_RETENTION_CHECKOUT_DAYS", default: 30, in: 1...3650)
        config.retention.assetHours = reader.integer("ATELIER_RETENTION_ASSET_HOURS", default: 6, in: 1...87_600)
        config.retention.mailDays = reader.integer("ATELIER_RETENTION_MAIL_DAYS", default: 90, in: 1...3650)
        let storefront = reader.value("ATELIER_STOREFRONT_URL") ?? publicURL
        if !Self.isHTTPURL(storefront) { reader.problems.append("ATELIER_STOREFRONT_URL=\(storefront): must be an http(s) URL") }
        var transport = MailSettings.Transport.files(URL(fileURLWithPath: config.dataDirectory).appendingPathComponent("mail").path)
        if let raw = reader.value("ATELIER_SMTP_URL") {
            let (smtp, problem) = SMTPSettings.parse(raw, caFile: reader.value("ATELIER_SMTP_CA_FILE"))
            if let smtp { transport = .smtp(smtp) } else {
                // The URL may carry a password: never echo it.
                reader.problems.append("ATELIER_SMTP_URL: \(problem ?? "unusable") (value not shown)")
            }
        }
        let from = reader.value("ATELIER_MAIL_FROM") ?? "Atelier <orders@atelier.invalid>"
        if !MailMessage.address(of: from).contains("@") || from.contains(where: \.isNewline) {
            reader.problems.append("ATELIER_MAIL_FROM=\(from): must be an address, like Shop <orders@shop.example>")
        }
        config.mail = MailSettings(from: from, shopName: reader.value("ATELIER_SHOP_NAME") ?? "Atelier", trackingBaseURL: storefront, transport: transport)
        let storefrontBase = storefront.hasSuffix("/") ? String(storefront.dropLast()) : storefront
        for (name, fallback, path) in [("ATELIER_PAYPAL_RETURN_PATH", "/checkout/{checkoutId}/return", \PayPalSettings.returnURL),
                                       ("ATELIER_PAYPAL_CANCEL_PATH", "/checkout/{checkoutId}/cancelled", \PayPalSettings.cancelURL)] {
            let raw = reader.value(name) ?? fallback
            // A path on the storefront, with a query if need be: PayPal appends its own parameters (token, PayerID).
            guard raw.hasPrefix("/"), !raw.hasPrefix("//"), !raw.contains(where: { $0.isWhitespace || $0.isNewline || $0 == "#" }),
                  Self.isHTTPURL(storefrontBase + raw.replacingOccurrences(of: "{checkoutId}", with: "chk_0"))
            else {
                reader.problems.append("\(name)=\(raw): must be a path on the storefront, like \(fallback)")
                continue
            }
            config.paypal?[keyPath: path] = storefrontBase + raw
        }
        config.reconcileInterval = TimeInterval(reader.integer("ATELIER_RECONCILE_INTERVAL_SECONDS", default: 60, in: 5...3600))
        config.webhooks.totalTimeout = .seconds(reader.integer("ATELIER_WEBHOOK_TIMEOUT_SECONDS", default: 15, in: 1...120))
        config.webhooks.connectTimeout = min(.seconds(5), config.webhooks.totalTimeout)
        config.webhooks.workers = reader.integer("ATELIER_WEBHOOK_WORKERS", default: 4, in: 1...64)
        config.webhooks.secretOverlap = TimeInterval(reader.integer("ATELIER_WEBHOOK_SECRET_OVERLAP_SECONDS", default: 86_400, in: 0...2_592_000))
        config.webhooks.retry.disableAfter = TimeInterval(reader.integer("ATELIER_WEBHOOK_DISABLE_AFTER_SECONDS", default: 259_200, in: 60...31_536_000))
        if let raw = reader.value("ATELIER_WEBHOOK_RETRY_SCHEDULE") {
            let delays = raw.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            if delays.isEmpty || delays.count > 30 || delays.contains(where: { $0 == nil || $0! < 0 || $0! > 604_800 }) {
                reader.problems.append("ATELIER_WEBHOOK_RETRY_SCHEDULE=\(raw): must be 1–30 comma-separated waits in seconds, each at most 604800")
            } else {
                config.webhooks.retry.delays = delays.map { TimeInterval($0!) }
            }
        }
        config.checkoutTTL = TimeInterval(reader.integer("ATELIER_CHECKOUT_TTL_SECONDS", default: 1800, in: 60...86_400))
        switch (reader.value("ATELIER_DATA_KEYS"), reader.value("ATELIER_LOOKUP_KEY")) {
        case (nil, nil):
            break
        case (let keys?, let lookup?):
            do {
                config.personalDataKeys = try PersonalDataKeys.parse(keys: keys, lookup: lookup)
            } catch {
                // Never echo key material.
                reader.problems.append("ATELIER_DATA_KEYS/ATELIER_LOOKUP_KEY: \(error.reason)")
            }
        default:
            reader.problems.append("ATELIER_DATA_KEYS and ATELIER_LOOKUP_KEY: set both or neither")
        }
        config.shipDates = ShipDateCalendar(timeZone: timeZone, businessDays: reader.boolean("ATELIER_LEAD_TIME_BUSINESS_DAYS", default: false))
        if let bucket = reader.value("ATELIER_S3_BUCKET") {
            let region = reader.value("ATELIER_S3_REGION") ?? "us-east-1"
            let endpointText = reader.value("ATELIER_S3_ENDPOINT") ?? "https://s3.\(region).amazonaws.com"
            let endpoint = URL(string: endpointText).flatMap { ["http", "https"].contains($0.scheme ?? "") && $0.host != nil ? $0 : nil }
            if endpoint == nil { reader.problems.append("ATELIER_S3_ENDPOINT=\(endpointText): must be an http(s) URL") }
            let keyID = reader.value("ATELIER_S3_ACCESS_KEY_ID"), secret = reader.value("ATELIER_S3_SECRET_ACCESS_KEY")
            if keyID == nil { reader.problems.append("ATELIER_S3_ACCESS_KEY_ID: required when ATELIER_S3_BUCKET is set") }
            if secret == nil { reader.problems.append("ATELIER_S3_SECRET_ACCESS_KEY: required when ATELIER_S3_BUCKET is set") }
            let pathStyle = reader.boolean("ATELIER_S3_PATH_STYLE", default: false)
            if let endpoint, let keyID, let secret {
                config.s3 = S3Settings(endpoint: endpoint, bucket: bucket, region: region, accessKeyID: keyID,
                                       secretAccessKey: secret, pathStyle: pathStyle)
            }
        }
        if let raw = reader.value("ATELIER_SHOP_CURRENCY") {
            if Money.isCurrencyCode(raw) {
                config.shopCurrency = raw
            } else {
                reader.problems.append("ATELIER_SHOP_CURRENCY=\(raw): must be a three-letter ISO 4217 code in capitals, like USD")
            }
        }

        if let raw = reader.value("ATELIER_LOG_LEVEL") {
            if let level = Logger.Level(rawValue: raw.lowercased()) {
                config.logLevel = level
            } else {
                reader.problems.append("ATELIER_LOG_LEVEL=\(raw): must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        if let raw = reader.value("ATELIER_LOG_FORMAT") {
            if let format = LogFormat(rawValue: raw.lowercased()) {
                config.logFormat = format
            } else {
                reader.problems.append("ATELIER_LOG_FORMAT=\(raw): must be json or text")
            }
        }

        if let url = reader.value("DATABASE_URL") {
            let connections = reader.integer("ATELIER_DB_MAX_CONNECTIONS", default: 10, in: 1...500)
            do {
                config.database = .postgres(try PostgresSettings(url: url, maxConnections: connections))
            } catch {
                // The URL may carry a password: never echo it.
                reader.problems.append("DATABASE_URL: \(error.reason)")
            }
        } else {
            let connections = reader.integer("ATELIER_DB_MAX_CONNECTIONS", default: 4, in: 1...64)
            let folder = config.dataDirectory.hasSuffix("/") ? String(config.dataDirectory.dropLast()) : config.dataDirectory
            let path = folder + "/atelier.sqlite"
            config.database = .sqlite(.file(path: path), poolSize: connections)
        }

        if !reader.problems.isEmpty { throw ConfigurationError(problems: reader.problems) }
        return config
    }
}
