/// Expires unpaid checkouts and releases their stock; queued every minute.
import AtelierCore
import AtelierCatalog
import AtelierCustomization
public enum CheckoutExpiryJobs {
    public static let kind = "checkouts.expire"

    public static func handler(database: any DatabaseClient, clock: WallClock) -> JobHandler {
        JobHandler(kind: kind) { _ in
            let expired = try await database.transaction { db in try await CheckoutExpiry(clock: clock).expireOverdue(on: db) }
            return "expired \(expired) checkout(s)"
        }
    }
}
