import AtelierCore
import AtelierAssets
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import AtelierDelivery
import Foundation
import Logging
import SQLKit

/// Deletes what the retention periods have run out for, and erases orders of erased customers once they
/// have shipped; queued every hour.
public enum RetentionJobs {
    public static let kind = "privacy.retention"

    public static func handler(database: any DatabaseClient, privacy: PrivacyRequests, settings: RetentionSettings, clock: WallClock) -> JobHandler {
        JobHandler(kind: kind) { _ in
            let pending = try await privacy.erasePending()
            let (checkouts, assets, mail) = try await privacy.applyRetention(settings)
            return "erased \(pending) shipped order(s) of erased customers; deleted \(checkouts) abandoned checkout(s), \(assets) unused asset(s), \(mail) email cop(ies)"
        }
    }
}

extension PrivacyRequests {
    /// One round of retention: abandoned checkouts, unused assets (at most 500 a round), old email copies.
    public func applyRetention(_ settings: RetentionSettings) async throws -> (checkouts: Int, assets: Int, mail: Int) {
        let now = clock.now
        let checkoutCutoff = now.addingTimeInterval(-Double(settings.checkoutDays) * 86_400)
        let checkouts = try await database.transaction { db in
            let ids = try await db.raw("""
                SELECT id FROM checkouts WHERE status IN ('expired', 'cancelled') AND order_id IS NULL AND updated_at < \(bind: checkoutCutoff)
                ORDER BY id LIMIT 1000
                """).all(decodingColumn: "id", as: String.self)
            guard !ids.isEmpty else { return 0 }
            try await db.delete(from: "reservations").where("checkout_id", .in, ids).run()
            try await db.delete(from: "checkout_audit").where("checkout_id", .in, ids).run()
            try await db.delete(from: "checkouts").where("id", .in, ids).run()
            try await db.delete(from: "idempotency_keys").where("created_at", .lessThan, checkoutCutoff).run()
            return ids.count
        }

        let assetCutoff = now.addingTimeInterval(-Double(settings.assetHours) * 3600)
        let candidates = try await database.withConnection { db in
            try await db.raw("""
                SELECT a.id FROM assets a WHERE a.created_at < \(bind: assetCutoff)
                AND NOT EXISTS (SELECT 1 FROM order_assets r WHERE r.asset_id = a.id) ORDER BY a.id LIMIT 500
                """).all(decodingColumn: "id", as: String.self)
        }
        var unused = try await deletableAssets(Set(candidates), exceptOrders: [], exceptCarts: [], exceptSessions: [])
        if !unused.isEmpty {
            // An open checkout's cart snapshot may still need its images until it is paid or expires.
            let pending = try await database.withConnection { db in
                try await db.raw("SELECT snapshot FROM checkouts WHERE status = 'pending'").all(decodingColumn: "snapshot", as: String.self)
            }
            unused = unused.filter { asset in !pending.contains { $0.contains("\"" + asset + "\"") } }
        }
        for asset in unused.sorted() { try await storage.delete(key: String(asset.dropFirst(Asset.prefix.count))) }
        let doomed = unused.sorted()
        let assets = doomed.isEmpty ? 0 : try await database.transaction { db in
            try await db.delete(from: "catalog_media").where("asset_id", .in, doomed).run()
            return try await db.delete(from: "assets").where("id", .in, doomed).returning("id").all().count
        }

        var mail = 0
        if let mailFolder, let names = try? FileManager.default.contentsOfDirectory(atPath: mailFolder) {
            let mailCutoff = now.addingTimeInterval(-Double(settings.mailDays) * 86_400)
            for name in names where FileMailTransport.isCopy(name) {
                let path = mailFolder + "/" + name
                if let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date, modified < mailCutoff,
                   (try? FileManager.default.removeItem(atPath: path)) != nil {
                    mail += 1
                }
            }
        }
        return (checkouts, assets, mail)
    }
}
