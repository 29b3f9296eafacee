import AtelierCore
import AtelierAssets
import AtelierCatalog
import Foundation
import SQLKit

public struct SessionStore: Sendable {
    public let ttl: TimeInterval
    private let clock: WallClock

    public init(ttl: TimeInterval, clock: WallClock = .system) {
        self.ttl = ttl
        self.clock = clock
    }

    struct Row: Codable {
        var id: String
        var productId: String
        var templateVersion: Int?
        var state: String
        var previewJobId: String?
        var createdAt: Date
        var updatedAt: Date
        var expiresAt: Date

        func session() throws -> CustomizationSession {
            CustomizationSession(id: id, productId: productId, templateVersion: templateVersion,
                                 state: try Coding.decoder.decode(CustomizationState.self, from: Data(state.utf8)),
                                 previewJobId: previewJobId, createdAt: createdAt, updatedAt: updatedAt, expiresAt: expiresAt)
        }
    }

    static let decoder = SnakeCaseColumns.decoder

    /// Most bytes a session's choices may take, stored: far above any real template's, far below what an
    /// anonymous client could otherwise park in the database for a day.
    public static let maxStateBytes = 32_768
    /// Errors that name something the product or template does not have: such a key is never stored.
    static let unknownKeyCodes: Set<AtelierError.Code> = [.unknownDimension, .unknownOptionSet, .unknownZone, .notCustomizable]

    public func create(productRef: String, state: CustomizationState, products: ProductStore, memo: CatalogMemo? = nil,
                       on db: any SQLDatabase) async throws -> CustomizationSession {
        guard let product = try await products.find(productRef, on: db), product.isPubliclyVisible else {
            throw AtelierError.notFound("Product '\(productRef)'")
        }
        try await admit(state, productId: product.id, templateVersion: product.templateVersion, products: products, memo: memo, on: db)
        let now = clock.now
        let row = Row(id: Identifier.make(prefix: "ses", at: now), productId: product.id, templateVersion: product.templateVersion,
                      state: try Coding.encode(state), previewJobId: nil, createdAt: now, updatedAt: now,
                      expiresAt: now.addingTimeInterval(ttl))
        try await db.insert(into: "customization_sessions").model(row, keyEncodingStrategy: .convertToSnakeCase).run()
        return try row.session()
    }

    /// The session, or 404 when it never existed (or was cleaned up) and 410 once it has expired.
    public func find(id: String, on db: any SQLDatabase) async throws -> CustomizationSession {
        guard Identifier.isWellFormed(id, prefix: "ses"),
            let row = try await db.select().column("*").from("customization_sessions").where("id", .equal, id)
                .first(decoding: Row.self, with: Self.decoder)
        else { throw AtelierError.notFound("Session '\(id)'") }
        guard row.expiresAt > clock.now else {
            throw AtelierError(.gone, code: .sessionExpired, title: "Session expired",
                               detail: "This customization session expired; start a new one with POST /sessions.")
        }
        return try row.session()
    }

    /// Applies an update and extends the session's life. A change of choices forgets the preview asked
    /// for the old ones: it no longer shows what the shopper is buying.
    public func update(id: String, selection: [String: String]?, options: [String: [String]]?,
                       zones: [String: CustomizationState.ZoneValue]?, products: ProductStore, memo: CatalogMemo? = nil,
                       on db: any SQLDatabase) async throws -> CustomizationSession {
        let session = try await find(id: id, on: db)
        let state = session.state.applying(selection: selection, options: options, zones: zones)
        try await admit(state, productId: session.productId, templateVersion: session.templateVersion, products: products, memo: memo, on: db)
        let now = clock.now
        var update = db.update("customization_sessions")
            .set("state", to: try Coding.encode(state)).set("updated_at", to: now).set("expires_at", to: now.addingTimeInterval(ttl))
        if state != session.state { update = update.set("preview_job_id", to: SQLLiteral.null) }
        try await update.where("id", .equal, id).run()
        return try await find(id: id, on: db)
    }

    /// Refuses choices that may not be stored: keys the product or its template does not know (422, each
    /// named), or more than `maxStateBytes` in all (413). Other errors (a text too long for its zone, a
    /// value not offered) are kept and reported, so a shopper can fix them step by step.
    func admit(_ state: CustomizationState, productId: String, templateVersion: Int?, products: ProductStore, memo: CatalogMemo?,
               on db: any SQLDatabase) async throws {
        let size = try Coding.encode(state).utf8.count
        guard size <= Self.maxStateBytes else {
            throw AtelierError(.contentTooLarge, code: .sessionTooLarge, title: "Too many choices",
                               detail: "A session's choices may take at most \(Self.maxStateBytes) bytes; these take \(size).")
        }
        let subject = CustomizationCheck.Subject(productId: productId, templateVersion: templateVersion, state: state)
        guard let result = try await CustomizationCheck(memo: memo).check([subject], on: db).results.first else { return }
        let unknown = result.errors.filter { Self.unknownKeyCodes.contains($0.code) }
        if !unknown.isEmpty {
            throw AtelierError(.unprocessable, code: .sessionInvalid, title: "Unknown choices",
                               detail: "The session names what this product does not have; nothing was stored.", errors: unknown)
        }
    }

    public func setPreviewJob(sessionId: String, jobId: String, on db: any SQLDatabase) async throws {
        try await db.update("customization_sessions").set("preview_job_id", to: jobId).where("id", .equal, sessionId).run()
    }

    /// Deletes sessions that expired more than `grace` ago; answers how many.
    @discardableResult
    public func deleteExpired(grace: TimeInterval = 3600, on db: any SQLDatabase) async throws -> Int {
        try await db.raw("DELETE FROM customization_sessions WHERE expires_at < \(bind: clock.now.addingTimeInterval(-grace)) RETURNING id")
            .all().count
    }

    /// Checks a session against its product and pinned template as they are now, and prices it.
    public func evaluate(_ session: CustomizationSession, products: ProductStore, memo: CatalogMemo? = nil,
                         on db: any SQLDatabase) async throws -> (SessionEvaluation, Product, TemplateVersion?) {
        let subject = CustomizationCheck.Subject(productId: session.productId, templateVersion: session.templateVersion, state: session.state)
        guard let result = try await CustomizationCheck(memo: memo).check([subject], on: db).results.first,
            let product = result.product
        else { throw AtelierError.notFound("Product '\(session.productId)'") }
        let evaluation = SessionEvaluation(errors: result.errors, unitPrice: result.unit.total, leadTimeDays: result.leadTimeDays,
                                           currency: result.currency)
        return (evaluation, product, result.template)
    }
}
