import AtelierCore
import SQLKit

/// Images staff upload for the catalog (products' media, template views): kept while a product or a template
/// version points at them, served publicly for a year. A new table only, so a node of the previous version runs
/// against this schema during a rolling upgrade.
struct CreateCatalogMedia: Migration {
    let name = "0019_create_catalog_media"
    let additive = true

    func prepare(on db: any SQLDatabase, backend: SQLBackend) async throws {
        try await db.raw("""
            CREATE TABLE catalog_media (
                asset_id TEXT PRIMARY KEY,
                uploaded_by TEXT,
                created_at \(unsafeRaw: ColumnType.timestamp(backend)) NOT NULL
            )
            """).run()
    }
}
