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

/// Partner webhook subscriptions, one delivery per (subscription, outbox event) with its attempts, and
/// the outbox's dispatch mark.
struct CreateWebhooks: Migration {
    let name = "0008_create_webhooks"

    func prepare(on db: any SQLDatabase, backend: SQLBackend) async throws {
        let timestamp = ColumnType.timestamp(backend)
        try await db.raw("ALTER TABLE outbox ADD COLUMN dispatched_at \(unsafeRaw: timestamp)").run()
        // The order's access token, sealed like personal data, for the tracking link in the shopper's emails.
        try await db.raw("ALTER TABLE checkouts ADD COLUMN access_token_sealed TEXT").run()
        try await db.raw("CREATE INDEX outbox_undispatched ON outbox (seq) WHERE dispatched_at IS NULL").run()
        try await db.raw("""
            CREATE TABLE webhook_subscriptions (
                id TEXT PRIMARY KEY,
                kind TEXT NOT NULL DEFAULT 'partner' CHECK (kind IN ('partner', 'fulfillment', 'mail')),
                url TEXT NOT NULL,
                description TEXT,
                event_types TEXT NOT NULL,
                active BOOLEAN NOT NULL,
                secret TEXT NOT NULL,
                previous_secret TEXT,
                previous_secret_expires_at \(unsafeRaw: timestamp),
                failing_since \(unsafeRaw: timestamp),
                disabled_reason TEXT,
                created_at \(unsafeRaw: timestamp) NOT NULL,
                updated_at \(unsafeRaw: timestamp) NOT NULL
            )
            """).run()
        // The configured fulfillment service is one subscription, kept in step with the configuration.
        try await db.raw("CREATE UNIQUE INDEX webhook_subscriptions_fulfillment ON webhook_subscriptions (kind) WHERE kind = 'fulfillment'").run()
        try await db.raw("CREATE UNIQUE INDEX webhook_subscriptions_mail ON webhook_subscriptions (kind) WHERE kind = 'mail'").run()
        try await db.raw("""
            CREATE TABLE webhook_deliveries (
                id TEXT PRIMARY KEY,
                subscription_id TEXT NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
                event_id TEXT NOT NULL,
                event_type TEXT NOT NULL,
                seq BIGINT NOT NULL,
                aggregate_id TEXT NOT NULL,
                payload TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'dead', 'cancelled')),
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at \(unsafeRaw: timestamp) NOT NULL,
                locked_until \(unsafeRaw: timestamp),
                locked_by TEXT,
                last_status INTEGER,
                last_error TEXT,
                created_at \(unsafeRaw: timestamp) NOT NULL,
                completed_at \(unsafeRaw: timestamp),
                UNIQUE (subscription_id, event_id)
            )
            """).run()
        try await db.raw("CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at)").run()
        try await db.raw("CREATE INDEX webhook_deliveries_order ON webhook_deliveries (subscription_id, aggregate_id, seq)").run()
        try await db.raw("CREATE INDEX webhook_deliveries_list ON webhook_deliveries (subscription_id, created_at)").run()
        try await db.raw("""
            CREATE TABLE webhook_attempts (
                id TEXT PRIMARY KEY,
                delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
                number INTEGER NOT NULL,
                at \(unsafeRaw: timestamp) NOT NULL,
                url TEXT NOT NULL,
                status INTEGER,
                latency_ms INTEGER NOT NULL,
                response_excerpt TEXT,
                error TEXT
            )
            """).run()
        try await db.raw("CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, number)").run()
    }
}
