import AtelierCore
import SQLKit

/// One number that changes whenever anything in the public catalog may have changed. Every catalog
/// write bumps it in its own transaction; API nodes compare it to decide whether a cached answer is
/// still good, so a write on one node invalidates the caches of all.
public enum CatalogRevision {
    @discardableResult
    public static func bump(on db: any SQLDatabase) async throws -> Int64 {
        try await db.raw("UPDATE catalog_state SET revision = revision + 1 WHERE id = 1 RETURNING revision")
            .first(decodingColumn: "revision", as: Int64.self) ?? 0
    }

    public static func current(on db: any SQLDatabase) async throws -> Int64 {
        try await db.raw("SELECT revision FROM catalog_state WHERE id = 1").first(decodingColumn: "revision", as: Int64.self) ?? 0
    }
}
