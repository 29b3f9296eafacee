import AtelierCore
import AtelierAssets
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import AtelierDelivery
import AtelierPrivacy

extension AtelierConfiguration {
    /// The documented variables with their defaults, module by module (each settings struct lists the variables
    /// its `read` reads); the README's table documents every one, and a test checks that it does.
    public static let variables: [EnvironmentVariable] = [
        ServerSettings.variables, DatabaseSetting.variables, CatalogSettings.variables, AssetSettings.variables,
        CustomizationSettings.variables, CommerceSettings.variables, DeliverySettings.variables, PrivacySettings.variables, StaffSettings.variables,
    ].flatMap { $0 }
}
