import AtelierCore
import SQLKit

/// Which images the catalog points at: a product's media (archived products too) or a template version's view
/// image, by `/assets/<id>` address. Such an image is kept however old it is.
public enum CatalogImageUse {
    /// The ids among `ids` that a product or a template version uses.
    public static func used(_ ids: Set<String>, on db: any SQLDatabase) async throws -> Set<String> {
        var used = Set<String>()
        for id in ids.sorted() {
            let pattern = "%/assets/" + id + "%"
            let rows = try await db.raw("""
                SELECT 1 AS found FROM products WHERE definition LIKE \(bind: pattern)
                UNION ALL SELECT 1 AS found FROM product_templates WHERE definition LIKE \(bind: pattern)
                LIMIT 1
                """).all()
            if !rows.isEmpty { used.insert(id) }
        }
        return used
    }
}
