import AtelierCore
import Foundation

/// The commerce module's settings: carts, checkouts, and the payment providers.
public struct CommerceSettings: Sendable {
    /// How long a cart lives after its last use.
    public var cartTTL: TimeInterval = 2_592_000
    public var cartLimits = CartLimits()
    /// How long an unpaid checkout holds its stock.
    public var checkoutTTL: TimeInterval = 1800
    /// Payment providers checkouts may use.
    public var paymentProviders: Set<PaymentProviderKind> = [.test]
    /// Whether the test provider (a shopper marks their own checkout paid) may run where a real shop could
    /// take orders: on an address other than loopback, or next to a real provider.
    public var allowTestPayments = false
    /// Stripe's webhook endpoint secrets (`whsec_…`); several while one rotates. Empty: webhooks refused.
    public var stripeWebhookSecrets: [String] = []
    /// Stripe's API (needed when `stripe` is a payment provider).
    public var stripe: StripeSettings?
    /// PayPal's API and webhook id (needed when `paypal` is a payment provider).
    public var paypal: PayPalSettings?
    /// How often payments their webhooks did not report are looked up at the provider.
    public var reconcileInterval: TimeInterval = 60
    /// The storefront's address: base of PayPal's return and cancel links and of the emails' tracking link.
    /// `read` sets it (by default the API's public URL); nil in configurations built in code.
    public var storefrontURL: String?

    public init() {}

    /// Reads the variables below; a bad one is recorded in `reader` and leaves its default. `publicURL` is the
    /// API's public address, the storefront's default. Whether the test provider may run on the server's address
    /// is checked by `AtelierConfiguration.load`, which knows both.
    package static func read(_ reader: inout EnvironmentReader, publicURL: String) -> CommerceSettings {
        var settings = CommerceSettings()
        settings.cartTTL = reader.seconds("ATELIER_CART_TTL_SECONDS", default: settings.cartTTL, in: 3600...31_536_000)
        settings.cartLimits = CartLimits(
            maxQuantityPerLine: reader.integer("ATELIER_CART_MAX_QUANTITY", default: settings.cartLimits.maxQuantityPerLine, in: 1...100_000),
            maxLines: reader.integer("ATELIER_CART_MAX_LINES", default: settings.cartLimits.maxLines, in: 1...1000),
            maxUnits: reader.integer("ATELIER_CART_MAX_UNITS", default: settings.cartLimits.maxUnits, in: 1...1_000_000)
        )
        settings.checkoutTTL = reader.seconds("ATELIER_CHECKOUT_TTL_SECONDS", default: settings.checkoutTTL, in: 60...86_400)
        if let raw = reader.value("ATELIER_PAYMENT_PROVIDERS") {
            var providers = Set<PaymentProviderKind>()
            for name in raw.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) where !name.isEmpty {
                if let provider = PaymentProviderKind(rawValue: name) { providers.insert(provider) } else {
                    reader.problems.append("ATELIER_PAYMENT_PROVIDERS=\(raw): unknown provider \(name); use test, stripe or paypal")
                }
            }
            if providers.isEmpty { reader.problems.append("ATELIER_PAYMENT_PROVIDERS=\(raw): name at least one provider") }
            settings.paymentProviders = providers
        }
        settings.allowTestPayments = reader.boolean("ATELIER_ALLOW_TEST_PAYMENTS", default: settings.allowTestPayments)
        readStripe(&reader, into: &settings)
        readPayPal(&reader, into: &settings, publicURL: publicURL)
        settings.reconcileInterval = reader.seconds("ATELIER_RECONCILE_INTERVAL_SECONDS", default: settings.reconcileInterval, in: 5...3600)
        return settings
    }

    private static func readStripe(_ reader: inout EnvironmentReader, into settings: inout CommerceSettings) {
        if let raw = reader.value("ATELIER_STRIPE_WEBHOOK_SECRETS") {
            let secrets = raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            if secrets.isEmpty || !secrets.allSatisfy({ $0.hasPrefix("whsec_") && $0.count > 10 }) {
                reader.problems.append("ATELIER_STRIPE_WEBHOOK_SECRETS: each secret must look like whsec_… (value not shown)")
            }
            settings.stripeWebhookSecrets = secrets
        }
        if let key = reader.value("ATELIER_STRIPE_SECRET_KEY") {
            let base = reader.value("ATELIER_STRIPE_API_BASE") ?? "https://api.stripe.com"
            if !EnvironmentReader.isHTTPURL(base) { reader.problems.append("ATELIER_STRIPE_API_BASE=\(base): must be an http(s) URL") }
            settings.stripe = StripeSettings(secretKey: key, apiBase: base)
        }
        if settings.paymentProviders.contains(.stripe) {
            if settings.stripe == nil { reader.problems.append("ATELIER_STRIPE_SECRET_KEY: required when ATELIER_PAYMENT_PROVIDERS lists stripe") }
            if settings.stripeWebhookSecrets.isEmpty {
                reader.problems.append("ATELIER_STRIPE_WEBHOOK_SECRETS: required when ATELIER_PAYMENT_PROVIDERS lists stripe (payments are confirmed by webhook)")
            }
        }
    }

    /// PayPal's API, and the storefront its buyers return to.
    private static func readPayPal(_ reader: inout EnvironmentReader, into settings: inout CommerceSettings, publicURL: String) {
        if let id = reader.value("ATELIER_PAYPAL_CLIENT_ID") {
            let base = reader.value("ATELIER_PAYPAL_API_BASE") ?? "https://api-m.paypal.com"
            if !EnvironmentReader.isHTTPURL(base) { reader.problems.append("ATELIER_PAYPAL_API_BASE=\(base): must be an http(s) URL") }
            let secret = reader.value("ATELIER_PAYPAL_CLIENT_SECRET"), webhook = reader.value("ATELIER_PAYPAL_WEBHOOK_ID")
            if secret == nil { reader.problems.append("ATELIER_PAYPAL_CLIENT_SECRET: required with ATELIER_PAYPAL_CLIENT_ID") }
            if webhook == nil { reader.problems.append("ATELIER_PAYPAL_WEBHOOK_ID: required with ATELIER_PAYPAL_CLIENT_ID (webhooks are verified with it)") }
            if let secret, let webhook {
                settings.paypal = PayPalSettings(clientId: id, clientSecret: secret, apiBase: base, webhookId: webhook)
            }
        } else if settings.paymentProviders.contains(.paypal) {
            reader.problems.append("ATELIER_PAYPAL_CLIENT_ID: required when ATELIER_PAYMENT_PROVIDERS lists paypal")
        }
        let storefront = reader.value("ATELIER_STOREFRONT_URL") ?? publicURL
        if !EnvironmentReader.isHTTPURL(storefront) { reader.problems.append("ATELIER_STOREFRONT_URL=\(storefront): must be an http(s) URL") }
        settings.storefrontURL = storefront
        let storefrontBase = storefront.hasSuffix("/") ? String(storefront.dropLast()) : storefront
        for (name, fallback, path) in [("ATELIER_PAYPAL_RETURN_PATH", "/checkout/{checkoutId}/return", \PayPalSettings.returnURL),
                                       ("ATELIER_PAYPAL_CANCEL_PATH", "/checkout/{checkoutId}/cancelled", \PayPalSettings.cancelURL)] {
            let raw = reader.value(name) ?? fallback
            // A path on the storefront, with a query if need be: PayPal appends its own parameters (token, PayerID).
            guard raw.hasPrefix("/"), !raw.hasPrefix("//"), !raw.contains(where: { $0.isWhitespace || $0.isNewline || $0 == "#" }),
                  EnvironmentReader.isHTTPURL(storefrontBase + raw.replacingOccurrences(of: "{checkoutId}", with: "chk_0"))
            else {
                reader.problems.append("\(name)=\(raw): must be a path on the storefront, like \(fallback)")
                continue
            }
            settings.paypal?[keyPath: path] = storefrontBase + raw
        }
    }

    /// The variables `read` reads, as the README documents them.
    public static let variables: [EnvironmentVariable] = [
        .init("ATELIER_CART_TTL_SECONDS", "2592000", "how long a cart lives after its last use (30 days)"),
        .init("ATELIER_CART_MAX_QUANTITY", "100", "largest quantity of one cart line"),
        .init("ATELIER_CART_MAX_LINES", "50", "most lines in one cart"),
        .init("ATELIER_CART_MAX_UNITS", "500", "most items in one cart, all lines together"),
        .init("ATELIER_PAYMENT_PROVIDERS", "test (on loopback only)", "comma-separated providers checkouts may use: test, stripe, paypal"),
        .init("ATELIER_ALLOW_TEST_PAYMENTS", "false", "true lets the test provider (shoppers mark their own checkout paid) run on a non-loopback address or beside a real provider"),
        .init("ATELIER_CHECKOUT_TTL_SECONDS", "1800", "how long an unpaid checkout holds its stock (30 minutes)"),
        .init("ATELIER_STRIPE_WEBHOOK_SECRETS", "(unset: Stripe webhooks refused)", "comma-separated whsec_… endpoint secrets; list the new one with the old while rotating"),
        .init("ATELIER_STRIPE_SECRET_KEY", "(required with stripe)", "the secret API key sk_live_… / sk_test_…"),
        .init("ATELIER_STRIPE_API_BASE", "https://api.stripe.com", "Stripe's API address (a Stripe-compatible server in tests)"),
        .init("ATELIER_PAYPAL_CLIENT_ID", "(required with paypal)", "REST app client id"),
        .init("ATELIER_PAYPAL_CLIENT_SECRET", "(required with paypal)", "REST app secret"),
        .init("ATELIER_PAYPAL_WEBHOOK_ID", "(required with paypal)", "id of the webhook PayPal calls at /webhooks/paypal"),
        .init("ATELIER_PAYPAL_API_BASE", "https://api-m.paypal.com", "https://api-m.sandbox.paypal.com for the sandbox"),
        .init("ATELIER_PAYPAL_RETURN_PATH", "/checkout/{checkoutId}/return", "where PayPal sends the buyer after approving: ATELIER_STOREFRONT_URL + this path ({checkoutId} is replaced)"),
        .init("ATELIER_PAYPAL_CANCEL_PATH", "/checkout/{checkoutId}/cancelled", "where PayPal sends the buyer who cancels: ATELIER_STOREFRONT_URL + this path ({checkoutId} is replaced)"),
        .init("ATELIER_RECONCILE_INTERVAL_SECONDS", "60", "how often pending Stripe and PayPal payments older than 30 s are looked up at the provider, in case their webhook was lost"),
        .init("ATELIER_STOREFRONT_URL", "ATELIER_PUBLIC_URL", "base of the order tracking link in emails (URL/orders/ORDER_ID?token=TOKEN) and of PayPal's return and cancel links"),
    ]
}
