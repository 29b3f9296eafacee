import AtelierCore
import AtelierAssets
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import AtelierDelivery
import AtelierInsights
import AtelierPrivacy
import AtelierAccess
import SQLKit

/// Finding a claimable delivery asks, for each due one, whether an earlier delivery of the same aggregate to the
/// same subscription is still pending (one order's events arrive in order). Without an index of the pending
/// deliveries by subscription, aggregate and sequence, that question scans every pending delivery, so a backlog
/// of n deliveries costs n² — the moment a receiver comes back is the moment the queue is longest.
struct AddPendingDeliveryOrderIndex: Migration {
    let name = "0015_add_pending_delivery_order_index"

    func prepare(on db: any SQLDatabase, backend: SQLBackend) async throws {
        try await db.raw("""
            CREATE INDEX webhook_deliveries_pending_order ON webhook_deliveries (subscription_id, aggregate_id, seq) WHERE status = 'pending'
            """).run()
    }
}
