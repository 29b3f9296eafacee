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

extension AtelierConfiguration {
    /// Reads and checks every variable; all bad ones are reported together, none echoing a secret.
    ///
    /// Each module's settings read their own variables into one reader, which collects the problems; what one
    /// module needs of another (the data folder, the public URL, the storefront) is passed in. Checks that span
    /// modules (the test payment provider against the server's address) come after.
    public static func load(
        environment env: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigurationError) -> AtelierConfiguration {
        var reader = EnvironmentReader(env)
        var config = AtelierConfiguration()
        config.server = ServerSettings.read(&reader)
        let publicURL = config.server.resolvedPublicURL
        config.catalog = CatalogSettings.read(&reader)
        config.assets = AssetSettings.read(&reader)
        config.customization = CustomizationSettings.read(&reader)
        config.staff = StaffSettings.read(&reader)
        config.commerce = CommerceSettings.read(&reader, publicURL: publicURL)
        if reader.value("ATELIER_PAYMENT_PROVIDERS") == nil, !config.commerce.allowTestPayments,
           !ServerSettings.isLoopback(config.server.hostname) {
            reader.problems.append("ATELIER_PAYMENT_PROVIDERS: required when binding to \(config.server.hostname) (the default, test, is for loopback only)")
        } else if let problem = config.testPaymentsProblem {
            reader.problems.append(problem)
        }
        config.delivery = DeliverySettings.read(&reader, dataDirectory: config.server.dataDirectory, publicURL: publicURL,
                                                storefrontURL: config.commerce.storefrontURL ?? publicURL)
        config.privacy = PrivacySettings.read(&reader)
        if let database = DatabaseSetting.read(&reader, dataDirectory: config.server.dataDirectory) {
            config.database = database
        }
        if !reader.problems.isEmpty { throw ConfigurationError(problems: reader.problems) }
        return config
    }
}
