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

/// What became of a payment that could not make an order (refunded, or why the refund failed), and
/// indexes to list those that need an admin and to find a cart's open checkouts; on PostgreSQL, order
/// numbers from a sequence.
struct AddPaymentResolutions: Migration {
    let name = "0007_add_payment_resolutions"

    func prepare(on db: any SQLDatabase, backend: SQLBackend) async throws {
        try await db.raw("ALTER TABLE payment_events ADD COLUMN resolution TEXT").run()
        try await db.raw("CREATE INDEX payment_events_outcome ON payment_events (outcome, received_at)").run()
        try await db.raw("CREATE INDEX payment_events_checkout ON payment_events (checkout_id)").run()
        // One open checkout per cart: starting one finds the cart's earlier ones.
        try await db.raw("CREATE INDEX checkouts_cart ON checkouts (cart_id, status)").run()
        if backend == .postgres {
            // Order numbers from a sequence, continuing the counter (no row lock held by every paying transaction).
            try await db.raw("CREATE SEQUENCE order_number_seq").run()
            try await db.raw("SELECT setval('order_number_seq', (SELECT value FROM counters WHERE name = 'order_number'))").run()
        }
    }
}
