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

/// Made from the whole configuration at the top, so Privacy never reads the configuration of others.
extension PrivacyRequests {
    /// With the mail folder of `configuration` (when emails are kept as `.eml` files).
    public init(configuration: AtelierConfiguration, database: any DatabaseClient, cipher: PersonalDataCipher, storage: any AssetStorage,
                clock: WallClock = .system) {
        var folder: String?
        if case .files(let path) = configuration.delivery.mail?.transport { folder = path }
        self.init(database: database, cipher: cipher, storage: storage, mailFolder: folder, clock: clock)
    }
}
