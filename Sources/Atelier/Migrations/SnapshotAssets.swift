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
import SQLKit

/// The part of an order's snapshot this migration reads, frozen as snapshots were written when it was made: the
/// lines' preview and the images of their zones. Today's `CheckoutSnapshot` may change; this copy must not.
struct SnapshotAssets: Decodable {
    struct Line: Decodable {
        struct State: Decodable {
            struct Zone: Decodable { var image: String? }
            var zones: [String: Zone]?
        }
        var previewAssetId: String?
        var state: State?
    }

    var lines: [Line]

    var assetIds: Set<String> {
        var ids = Set<String>()
        for line in lines {
            if let preview = line.previewAssetId { ids.insert(preview) }
            ids.formUnion((line.state?.zones ?? [:]).values.compactMap(\.image))
        }
        return ids
    }
}
