import AtelierCore
import AtelierAssets
import AtelierCatalog
import Crypto
import Foundation
import SQLKit

/// Asynchronous previews through the job queue. A preview is keyed by the hash of everything it
/// shows (product, template version, choices), so the same input is rendered once: asking again
/// answers the job that already exists.
public enum PreviewJobs {
    public static let kind = "preview.render"

    struct Payload: Codable {
        var productId: String
        var templateVersion: Int
        var state: CustomizationState
    }

    public enum Status: String, Sendable { case pending, rendering, ready, failed }

    public static func hash(productId: String, templateVersion: Int, state: CustomizationState) throws -> String {
        let canonical = try Coding.encode(Payload(productId: productId, templateVersion: templateVersion, state: state))
        return Hex.string(SHA256.hash(data: Data(canonical.utf8)))
    }

    /// Queues (or finds) the render for a session and remembers it on the session.
    public static func request(for session: CustomizationSession, sessions: SessionStore, queue: JobQueue, on db: any SQLDatabase) async throws -> Job {
        guard let version = session.templateVersion else {
            throw AtelierError(.unprocessable, code: .notCustomizable, title: "Nothing to preview",
                               detail: "This product has no customization template.")
        }
        let payload = Payload(productId: session.productId, templateVersion: version, state: session.state)
        let hash = try hash(productId: session.productId, templateVersion: version, state: session.state)
        let job = try await queue.enqueue(kind: kind, payload: try Coding.encode(payload), dedupeKey: "preview:" + hash,
                                          maxAttempts: 5, on: db)
        try await sessions.setPreviewJob(sessionId: session.id, jobId: job.id, on: db)
        return job
    }

    /// The session's preview job when it was asked for the session's choices as they are now; nil once the
    /// session has changed since (a preview of other choices must never reach a cart, an order or production).
    public static func current(for session: CustomizationSession, queue: JobQueue, on db: any SQLDatabase) async throws -> Job? {
        guard let jobId = session.previewJobId, let version = session.templateVersion,
              let job = try await queue.find(id: jobId, on: db)
        else { return nil }
        let expected = "preview:" + (try hash(productId: session.productId, templateVersion: version, state: session.state))
        return job.dedupeKey == expected ? job : nil
    }

    /// The preview asset of the session's current choices, when it has been rendered.
    public static func readyAsset(for session: CustomizationSession, queue: JobQueue, on db: any SQLDatabase) async throws -> String? {
        guard let job = try await current(for: session, queue: queue, on: db), status(of: job) == .ready else { return nil }
        return job.result
    }

    public static func status(of job: Job) -> Status {
        switch job.state {
        case .queued: .pending
        case .running: .rendering
        case .succeeded: .ready
        case .dead: .failed
        }
    }

    /// The worker side: render the SVG and store it as a preview asset; the job's result is the asset id.
    public static func handler(database: any DatabaseClient, assets: AssetStore) -> JobHandler {
        JobHandler(kind: kind, policy: RetryPolicy(maxAttempts: 5, baseDelay: 2, maxDelay: 120)) { job in
            let payload = try Coding.decoder.decode(Payload.self, from: Data(job.payload.utf8))
            return try await database.transaction { db in
                guard let template = try await TemplateStore().find(productId: payload.productId, version: payload.templateVersion, on: db) else {
                    throw AtelierError.notFound("Template version \(payload.templateVersion) of '\(payload.productId)'")
                }
                let rendered = PreviewRenderer.svg(template: template.definition, state: payload.state) { "/assets/\($0)" }
                let (asset, _) = try await assets.store(Array(rendered.svg.utf8), kind: .preview, type: "svg",
                                                        width: rendered.width, height: rendered.height, on: db)
                // Recorded with the asset: a partner (or a storefront's backend) learns the preview exists.
                try await Outbox.record("preview.ready", aggregateId: job.id, data: [
                    "jobId": job.id, "productId": payload.productId, "templateVersion": String(payload.templateVersion),
                    "assetId": asset.id, "url": "/assets/\(asset.id)",
                ], at: Date(), on: db)
                return asset.id
            }
        }
    }
}
