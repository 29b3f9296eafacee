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

/// Every setting of the service, read once from the environment at start: one settings struct per module,
/// each with its own defaults and its own variables, composed here.
///
/// `load(environment:)` checks every variable and reports all bad ones together, so an operator fixes
/// a deployment in one go. Tests build the struct in code instead, starting from `init()`.
public struct AtelierConfiguration: Sendable {
    /// The process: HTTP server, logging, data folder, workers, first start.
    public var server = ServerSettings()
    /// Where the data lives; code-built configurations use SQLite in memory.
    public var database = DatabaseSetting.sqlite(.memory, poolSize: 1)
    public var catalog = CatalogSettings()
    public var assets = AssetSettings()
    public var customization = CustomizationSettings()
    public var commerce = CommerceSettings()
    public var delivery = DeliverySettings()
    public var privacy = PrivacySettings()
    /// The operator console's staff: session timeouts, bcrypt's cost, sign-in throttling.
    public var staff = StaffSettings()

    public init() {}

    /// Why the test provider may not run as configured, or nil. It marks checkouts paid without money, so
    /// it runs only where no real shopper can reach it (a loopback address) and never beside a real
    /// provider, unless `ATELIER_ALLOW_TEST_PAYMENTS=true` says so. Checked again after `serve --hostname`.
    public var testPaymentsProblem: String? {
        let providers = commerce.paymentProviders
        guard providers.contains(.test), !commerce.allowTestPayments else { return nil }
        if providers.count > 1 {
            let names = providers.map(\.rawValue).sorted().joined(separator: ",")
            return "ATELIER_PAYMENT_PROVIDERS=\(names): the test provider marks orders paid without money and may not run beside a real provider; drop test, or set ATELIER_ALLOW_TEST_PAYMENTS=true"
        }
        if !ServerSettings.isLoopback(server.hostname) {
            return "ATELIER_PAYMENT_PROVIDERS=test on \(server.hostname): the test provider marks orders paid without money and runs on loopback only; name a real provider, or set ATELIER_ALLOW_TEST_PAYMENTS=true"
        }
        return nil
    }
}
