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

/// The storage the configuration asks for.
public enum AssetStorageFactory {
    public static func make(_ configuration: AtelierConfiguration) -> any AssetStorage {
        if let s3 = configuration.assets.s3 { return S3AssetStorage(settings: s3) }
        return LocalAssetStorage(root: configuration.server.assetDirectory)
    }
}
