/// Deletes expired sessions; queued periodically (one job per interval across all nodes).
import AtelierCore
import AtelierCatalog
import AtelierCustomization
public enum SessionCleanupJobs {
    public static let kind = "sessions.cleanup"

    /// Deletes expired customization sessions and carts.
    public static func handler(database: any DatabaseClient, sessions: SessionStore, carts: CartStore) -> JobHandler {
        JobHandler(kind: kind) { _ in
            let (removedSessions, removedCarts) = try await database.transaction { db in
                (try await sessions.deleteExpired(on: db), try await carts.deleteExpired(on: db))
            }
            return "deleted \(removedSessions) expired session(s) and \(removedCarts) expired cart(s)"
        }
    }
}
