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

/// Categories, products (the definition as one JSON document plus the columns that lists filter and
/// sort on), template versions, tracked inventory, and the catalog revision that caches key on.
struct CreateCatalog: Migration {
    let name = "0002_create_catalog"

    func prepare(on db: any SQLDatabase, backend: SQLBackend) async throws {
        let timestamp = ColumnType.timestamp(backend)
        try await db.raw("""
            CREATE TABLE categories (
                id TEXT PRIMARY KEY,
                slug TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL,
                created_at \(unsafeRaw: timestamp) NOT NULL
            )
            """).run()
        try await db.raw("""
            CREATE TABLE products (
                id TEXT PRIMARY KEY,
                slug TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL,
                search_name TEXT NOT NULL,
                category TEXT REFERENCES categories (slug),
                active BOOLEAN NOT NULL,
                archived_at \(unsafeRaw: timestamp),
                currency TEXT NOT NULL,
                base_price BIGINT NOT NULL,
                min_price BIGINT NOT NULL,
                max_price BIGINT NOT NULL,
                min_lead_days INTEGER NOT NULL,
                max_lead_days INTEGER NOT NULL,
                definition TEXT NOT NULL,
                template_version INTEGER,
                revision INTEGER NOT NULL,
                created_at \(unsafeRaw: timestamp) NOT NULL,
                updated_at \(unsafeRaw: timestamp) NOT NULL
            )
            """).run()
        try await db.raw("CREATE INDEX products_by_category ON products (category, id)").run()
        try await db.raw("""
            CREATE TABLE product_templates (
                id TEXT PRIMARY KEY,
                product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
                version INTEGER NOT NULL,
                definition TEXT NOT NULL,
                created_at \(unsafeRaw: timestamp) NOT NULL,
                created_by TEXT,
                UNIQUE (product_id, version)
            )
            """).run()
        try await db.raw("""
            CREATE TABLE inventory_items (
                product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
                item_key TEXT NOT NULL,
                on_hand INTEGER NOT NULL CHECK (on_hand >= 0),
                reserved INTEGER NOT NULL DEFAULT 0 CHECK (reserved >= 0),
                updated_at \(unsafeRaw: timestamp) NOT NULL,
                PRIMARY KEY (product_id, item_key)
            )
            """).run()
        try await db.raw("CREATE TABLE catalog_state (id INTEGER PRIMARY KEY, revision BIGINT NOT NULL)").run()
        try await db.raw("INSERT INTO catalog_state (id, revision) VALUES (1, 0)").run()
        try await db.raw("""
            CREATE TABLE shop_state (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL,
                updated_at \(unsafeRaw: timestamp) NOT NULL
            )
            """).run()
    }
}
