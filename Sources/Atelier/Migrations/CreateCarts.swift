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

/// Carts with their lines, shipping methods and tax rates.
///
/// Lines name their product without a foreign key: a product deleted from the catalog must show up as
/// a flagged line in the carts that hold it, not make those lines vanish.
struct CreateCarts: Migration {
    let name = "0005_create_carts"

    func prepare(on db: any SQLDatabase, backend: SQLBackend) async throws {
        let timestamp = ColumnType.timestamp(backend)
        try await db.raw("""
            CREATE TABLE carts (
                id TEXT PRIMARY KEY,
                key_hash TEXT NOT NULL UNIQUE,
                version BIGINT NOT NULL,
                created_at \(unsafeRaw: timestamp) NOT NULL,
                updated_at \(unsafeRaw: timestamp) NOT NULL,
                expires_at \(unsafeRaw: timestamp) NOT NULL
            )
            """).run()
        try await db.raw("CREATE INDEX carts_expiry ON carts (expires_at)").run()
        try await db.raw("""
            CREATE TABLE cart_lines (
                id TEXT PRIMARY KEY,
                cart_id TEXT NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
                line_key TEXT NOT NULL,
                position INTEGER NOT NULL,
                product_id TEXT NOT NULL,
                template_version INTEGER,
                state TEXT NOT NULL,
                session_id TEXT,
                preview_asset_id TEXT,
                quantity INTEGER NOT NULL CHECK (quantity > 0),
                unit_price BIGINT NOT NULL,
                currency TEXT NOT NULL,
                created_at \(unsafeRaw: timestamp) NOT NULL,
                updated_at \(unsafeRaw: timestamp) NOT NULL,
                UNIQUE (cart_id, line_key)
            )
            """).run()
        try await db.raw("""
            CREATE TABLE shipping_methods (
                code TEXT PRIMARY KEY,
                position INTEGER NOT NULL,
                definition TEXT NOT NULL,
                created_at \(unsafeRaw: timestamp) NOT NULL,
                updated_at \(unsafeRaw: timestamp) NOT NULL
            )
            """).run()
        try await db.raw("""
            CREATE TABLE tax_rates (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                country TEXT NOT NULL,
                region TEXT NOT NULL,
                rate_ppm BIGINT NOT NULL,
                applies_to_shipping BOOLEAN NOT NULL,
                created_at \(unsafeRaw: timestamp) NOT NULL,
                updated_at \(unsafeRaw: timestamp) NOT NULL,
                UNIQUE (country, region, name)
            )
            """).run()
    }
}
