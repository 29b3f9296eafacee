import AtelierCore
import SQLKit

/// Work left for later keeps the trace of the request that caused it: outbox events, the deliveries made from
/// them and queued jobs carry a W3C `traceparent` (null when tracing is off). Nullable columns only, so a node of
/// the previous version runs against this schema during a rolling upgrade.
struct AddTraceParents: Migration {
    let name = "0018_add_trace_parents"
    let additive = true

    func prepare(on db: any SQLDatabase, backend: SQLBackend) async throws {
        for table in ["outbox", "webhook_deliveries", "jobs"] {
            try await db.raw("ALTER TABLE \(unsafeRaw: table) ADD COLUMN trace_parent TEXT").run()
        }
    }
}
