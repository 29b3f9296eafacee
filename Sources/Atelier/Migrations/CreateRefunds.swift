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

/// Refunds as records of their own. Each is decided in the transaction that needs it (an order's cancellation, a
/// partial refund, a payment that made no order) and made at the provider by a job with the refund's own
/// idempotency key, so a refund survives a crash between the decision and the provider call.
struct CreateRefunds: Migration {
    let name = "0013_create_refunds"

    func prepare(on db: any SQLDatabase, backend: SQLBackend) async throws {
        let timestamp = ColumnType.timestamp(backend)
        try await db.raw("""
            CREATE TABLE refunds (
                id TEXT PRIMARY KEY,
                kind TEXT NOT NULL CHECK (kind IN ('cancellation', 'partial', 'late_payment', 'amount_mismatch')),
                order_id TEXT REFERENCES orders (id),
                checkout_id TEXT NOT NULL,
                payment_event_id TEXT,
                provider TEXT NOT NULL,
                payment_ref TEXT,
                amount BIGINT NOT NULL CHECK (amount > 0),
                currency TEXT NOT NULL,
                reason TEXT NOT NULL,
                lines TEXT,
                status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
                outside BOOLEAN NOT NULL,
                idempotency_key TEXT NOT NULL UNIQUE,
                attempts INTEGER NOT NULL,
                last_error TEXT,
                provider_amount BIGINT,
                created_at \(unsafeRaw: timestamp) NOT NULL,
                updated_at \(unsafeRaw: timestamp) NOT NULL,
                completed_at \(unsafeRaw: timestamp)
            )
            """).run()
        try await db.raw("CREATE INDEX refunds_order ON refunds (order_id, created_at)").run()
        try await db.raw("CREATE INDEX refunds_status ON refunds (status)").run()
    }
}
