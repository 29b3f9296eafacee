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

/// Checkouts with their stock reservations, idempotency records, payment events, orders with their
/// append-only audit trail, the outbox, and counters (order numbers).
struct CreateOrders: Migration {
    let name = "0006_create_orders"

    func prepare(on db: any SQLDatabase, backend: SQLBackend) async throws {
        let timestamp = ColumnType.timestamp(backend)
        try await db.raw("""
            CREATE TABLE idempotency_keys (
                scope TEXT NOT NULL,
                key TEXT NOT NULL,
                request_hash TEXT NOT NULL,
                status INTEGER,
                response TEXT,
                created_at \(unsafeRaw: timestamp) NOT NULL,
                PRIMARY KEY (scope, key)
            )
            """).run()
        try await db.raw("""
            CREATE TABLE checkouts (
                id TEXT PRIMARY KEY,
                cart_id TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'expired', 'cancelled')),
                provider TEXT NOT NULL,
                provider_ref TEXT,
                client_secret TEXT,
                approval_url TEXT,
                currency TEXT NOT NULL,
                total BIGINT NOT NULL,
                snapshot TEXT NOT NULL,
                customer TEXT NOT NULL,
                email_hash TEXT NOT NULL,
                access_token_hash TEXT NOT NULL,
                order_id TEXT,
                expires_at \(unsafeRaw: timestamp) NOT NULL,
                created_at \(unsafeRaw: timestamp) NOT NULL,
                updated_at \(unsafeRaw: timestamp) NOT NULL
            )
            """).run()
        try await db.raw("CREATE INDEX checkouts_pending_expiry ON checkouts (status, expires_at)").run()
        try await db.raw("CREATE UNIQUE INDEX checkouts_provider_ref ON checkouts (provider, provider_ref)").run()
        try await db.raw("""
            CREATE TABLE reservations (
                checkout_id TEXT NOT NULL REFERENCES checkouts (id),
                product_id TEXT NOT NULL,
                item_key TEXT NOT NULL,
                quantity INTEGER NOT NULL CHECK (quantity > 0),
                PRIMARY KEY (checkout_id, product_id, item_key)
            )
            """).run()
        try await db.raw("""
            CREATE TABLE payment_events (
                provider TEXT NOT NULL,
                event_id TEXT NOT NULL,
                type TEXT NOT NULL,
                checkout_id TEXT,
                amount BIGINT,
                currency TEXT,
                outcome TEXT NOT NULL,
                payload TEXT NOT NULL,
                received_at \(unsafeRaw: timestamp) NOT NULL,
                PRIMARY KEY (provider, event_id)
            )
            """).run()
        try await db.raw("""
            CREATE TABLE orders (
                id TEXT PRIMARY KEY,
                number TEXT NOT NULL UNIQUE,
                checkout_id TEXT NOT NULL UNIQUE,
                status TEXT NOT NULL,
                access_token_hash TEXT NOT NULL,
                currency TEXT NOT NULL,
                subtotal BIGINT NOT NULL,
                shipping BIGINT NOT NULL,
                tax BIGINT NOT NULL,
                total BIGINT NOT NULL,
                snapshot TEXT NOT NULL,
                customer TEXT NOT NULL,
                email_hash TEXT NOT NULL,
                provider TEXT NOT NULL,
                payment_ref TEXT,
                refunded BIGINT NOT NULL DEFAULT 0,
                tracking TEXT,
                expected_ship_date TEXT NOT NULL,
                paid_at \(unsafeRaw: timestamp) NOT NULL,
                delivered_at \(unsafeRaw: timestamp),
                created_at \(unsafeRaw: timestamp) NOT NULL,
                updated_at \(unsafeRaw: timestamp) NOT NULL
            )
            """).run()
        try await db.raw("CREATE INDEX orders_status_created ON orders (status, created_at, id)").run()
        try await db.raw("CREATE INDEX orders_created ON orders (created_at, id)").run()
        try await db.raw("CREATE INDEX orders_email ON orders (email_hash)").run()
        try await db.raw("""
            CREATE TABLE order_products (
                order_id TEXT NOT NULL REFERENCES orders (id),
                product_id TEXT NOT NULL,
                PRIMARY KEY (product_id, order_id)
            )
            """).run()
        try await db.raw("""
            CREATE TABLE order_transitions (
                id TEXT PRIMARY KEY,
                order_id TEXT NOT NULL REFERENCES orders (id),
                at \(unsafeRaw: timestamp) NOT NULL,
                actor_kind TEXT NOT NULL,
                actor_id TEXT,
                from_status TEXT,
                to_status TEXT NOT NULL,
                reason TEXT,
                details TEXT NOT NULL
            )
            """).run()
        try await db.raw("CREATE INDEX order_transitions_order ON order_transitions (order_id, at, id)").run()
        // The audit trail is append-only, enforced by the database itself.
        if backend == .postgres {
            try await db.raw("""
                CREATE FUNCTION order_transitions_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'order_transitions is append-only'; END $$
                """).run()
            try await db.raw("""
                CREATE TRIGGER order_transitions_append_only BEFORE UPDATE OR DELETE ON order_transitions
                FOR EACH ROW EXECUTE FUNCTION order_transitions_append_only()
                """).run()
        } else {
            for event in ["UPDATE", "DELETE"] {
                try await db.raw("""
                    CREATE TRIGGER order_transitions_no_\(unsafeRaw: event.lowercased()) BEFORE \(unsafeRaw: event) ON order_transitions
                    BEGIN SELECT RAISE(ABORT, 'order_transitions is append-only'); END
                    """).run()
            }
        }
        try await db.raw("""
            CREATE TABLE outbox (
                id TEXT PRIMARY KEY,
                seq BIGINT NOT NULL UNIQUE,
                type TEXT NOT NULL,
                aggregate_id TEXT NOT NULL,
                payload TEXT NOT NULL,
                created_at \(unsafeRaw: timestamp) NOT NULL,
                published_at \(unsafeRaw: timestamp)
            )
            """).run()
        try await db.raw("CREATE INDEX outbox_unpublished ON outbox (published_at, seq)").run()
        if backend == .postgres { try await db.raw("CREATE SEQUENCE outbox_seq").run() }
        try await db.raw("CREATE TABLE counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL)").run()
        try await db.raw("INSERT INTO counters (name, value) VALUES ('order_number', 1000)").run()
    }
}
