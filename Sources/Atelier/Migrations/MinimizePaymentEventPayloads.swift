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

/// Provider events stored before payloads were minimized hold the whole event, payer details included:
/// each is rewritten through `ProviderEventPayload`, exactly as a new one is stored. Erased payloads stay
/// `{"erased":true}`. Rows are read in pages, so a long history never sits in memory at once.
///
/// Unlike the other migrations, this one calls today's code on purpose: its job is to make old rows look like new
/// ones, so it minimizes along the allow-list new rows are stored with (minimizing twice changes nothing).
struct MinimizePaymentEventPayloads: Migration {
    let name = "0011_minimize_payment_event_payloads"

    func prepare(on db: any SQLDatabase, backend: SQLBackend) async throws {
        let pageSize = 500
        var last: (provider: String, eventId: String)?
        while true {
            let query = db.select().columns("provider", "event_id", "payload").from("payment_events")
            if let after = last {
                query.where { group in
                    group.where("provider", .greaterThan, after.provider).orWhere { same in
                        same.where("provider", .equal, after.provider).where("event_id", .greaterThan, after.eventId)
                    }
                }
            }
            let rows = try await query.orderBy("provider").orderBy("event_id").limit(pageSize).all()
            for row in rows {
                let provider = try row.decode(column: "provider", as: String.self)
                let eventId = try row.decode(column: "event_id", as: String.self)
                let stored = try row.decode(column: "payload", as: String.self)
                let minimized = ProviderEventPayload.minimized(
                    stored, along: PaymentProviderKind(rawValue: provider).map(ProviderEventPayload.allowed(for:)) ?? ProviderEventPayload.erasureOnly)
                guard minimized != stored else { continue }
                try await db.update("payment_events").set("payload", to: minimized)
                    .where("provider", .equal, provider).where("event_id", .equal, eventId).run()
            }
            guard rows.count == pageSize, let final = rows.last else { break }
            last = (try final.decode(column: "provider", as: String.self), try final.decode(column: "event_id", as: String.self))
        }
    }
}
