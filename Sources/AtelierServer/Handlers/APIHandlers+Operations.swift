import Atelier
import AtelierAPI
import OpenAPIRuntime

extension APIHandlers {
    func getLiveness(_ input: Operations.GetLiveness.Input) async throws -> Operations.GetLiveness.Output {
        .ok(.init(body: .json(.init(status: .ok))))
    }

    func getReadiness(_ input: Operations.GetReadiness.Input) async throws -> Operations.GetReadiness.Output {
        guard !readiness.isDraining else {
            throw AtelierError(.unavailable, code: .notReady, title: "Not ready",
                               detail: "The node is shutting down: it finishes the requests it has and takes no new ones.")
        }
        guard await database.ping() else {
            throw AtelierError(.unavailable, code: .notReady, title: "Not ready",
                               detail: "The database does not answer.")
        }
        return .ok(.init(body: .json(.init(status: .ok, checks: .init(additionalProperties: ["database": "ok"])))))
    }

    func getMetrics(_ input: Operations.GetMetrics.Input) async throws -> Operations.GetMetrics.Output {
        // Queue depth is read at scrape time, so every node reports the shared queue as it is.
        let queue = services.jobs
        if let counts = try? await database.withConnection({ db in try await queue.counts(on: db) }) {
            var seen = Set<String>()
            for (kind, state, count) in counts {
                registry.makeGauge(name: "atelier_jobs", labels: [("kind", kind), ("state", state)]).set(to: Double(count))
                seen.insert(kind + "/" + state)
            }
            for kind in [PreviewJobs.kind, SessionCleanupJobs.kind, RefundJobs.kind] {
                for state in ["queued", "running", "dead"] where !seen.contains(kind + "/" + state) {
                    registry.makeGauge(name: "atelier_jobs", labels: [("kind", kind), ("state", state)]).set(to: 0.0)
                }
            }
        }
        let deliveries = services.deliveries
        if let depth = try? await database.withConnection({ db in try await deliveries.depth(on: db) }) {
            registry.makeGauge(name: "atelier_outbox_undispatched", labels: []).set(to: Double(depth.undispatched))
            registry.makeGauge(name: "atelier_webhook_deliveries", labels: [("state", "pending")]).set(to: Double(depth.pending))
            registry.makeGauge(name: "atelier_webhook_deliveries", labels: [("state", "dead")]).set(to: Double(depth.dead))
            registry.makeGauge(name: "atelier_outbox_oldest_pending_seconds", labels: []).set(to: depth.oldestPendingAge)
        }
        // A growing ledger means the fold job is not running; pending erasures wait for their orders to ship.
        if let backlog = try? await database.withConnection({ db in
            (try await SalesLedger.unfoldedEntries(on: db), try await PrivacyRequests.pendingErasures(on: db))
        }) {
            registry.makeGauge(name: "atelier_report_entries_unfolded", labels: []).set(to: Double(backlog.0))
            registry.makeGauge(name: "atelier_privacy_pending_erasures", labels: []).set(to: Double(backlog.1))
        }
        // Refunds the provider has not confirmed yet, and those that failed (money staff must give back another way).
        let refundStore = services.refundStore
        if let refundCounts = try? await database.withConnection({ db in try await refundStore.counts(on: db) }) {
            for status in [Refund.Status.pending, .failed] {
                registry.makeGauge(name: "atelier_refunds", labels: [("status", status.rawValue)]).set(to: Double(refundCounts[status] ?? 0))
            }
        }
        return .ok(.init(body: .plainText(HTTPBody(registry.emitToBuffer()))))
    }
}
