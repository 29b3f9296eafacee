import Atelier
import AtelierAPI
import Foundation
import OpenAPIRuntime

extension APIHandlers {
    func uploadAsset(_ input: Operations.UploadAsset.Input) async throws -> Operations.UploadAsset.Output {
        let body: HTTPBody = switch input.body {
        case .png(let body), .jpeg(let body), .imageWebp(let body), .binary(let body): body
        }
        let store = services.assets
        // Streamed to a staging file: an upload is never held whole in memory.
        let staged = try await StagedUpload.stage(body, into: configuration.server.uploadStagingDirectory, maxBytes: configuration.assets.maxAssetBytes,
                                                  identity: store.identity)
        defer { staged.discard() }
        let info = try await store.verify(staged)
        let asset = try await database.transaction { db in try await store.save(staged, as: info, on: db) }
        // 201 whether or not the same bytes were stored before: the answer tells nobody what others uploaded.
        return .created(.init(body: .json(Components.Schemas.Asset(asset))))
    }

    func getAsset(_ input: Operations.GetAsset.Input) async throws -> Operations.GetAsset.Output {
        let (id, store) = (input.path.assetId, services.assets)
        guard let (asset, isCatalogImage) = try await database.withConnection({ db -> (Asset, Bool)? in
            guard let asset = try await store.find(id: id, on: db) else { return nil }
            return (asset, try await AssetStore.isCatalogImage(id: id, on: db))
        }) else { throw AtelierError.notFound("Asset '\(id)'") }
        // The id names the content: the client's copy is current whenever it has this id.
        let etag = "\"\(asset.id)\""
        if let offered = input.headers.ifNoneMatch, ResponseCache.matches(offered, etag: etag) {
            return .notModified(.init())
        }
        guard let bytes = try await store.content(of: asset) else { throw AtelierError.notFound("Asset '\(id)'") }
        // Catalog images are for everyone and never change; a shopper's upload or preview may be erased.
        let headers = Operations.GetAsset.Output.Ok.Headers(
            eTag: etag, cacheControl: isCatalogImage ? "public, max-age=31536000, immutable" : "private, max-age=86400")
        let body = HTTPBody(bytes)
        switch asset.type {
        case "png": return .ok(.init(headers: headers, body: .png(body)))
        case "jpeg": return .ok(.init(headers: headers, body: .jpeg(body)))
        case "webp": return .ok(.init(headers: headers, body: .imageWebp(body)))
        default: return .ok(.init(headers: headers, body: .imageSvgXml(body)))
        }
    }

    func createSession(_ input: Operations.CreateSession.Input) async throws -> Operations.CreateSession.Output {
        guard case .json(let body) = input.body else { throw AtelierError.badRequest("Send a JSON body.") }
        let state = CustomizationState(
            selection: body.selection?.additionalProperties ?? [:],
            options: body.options?.additionalProperties ?? [:],
            zones: (body.zones?.additionalProperties ?? [:]).mapValues(CustomizationState.ZoneValue.init)
        )
        try InputShape.check(selection: state.selection, options: state.options)
        try InputShape.check(zones: body.zones?.additionalProperties ?? [:])
        let (sessions, products, memo) = (services.sessions, services.products, services.memo)
        let answer = try await database.transaction { db in
            let session = try await sessions.create(productRef: body.product, state: state, products: products, memo: memo, on: db)
            return try await describe(session, on: db)
        }
        return .created(.init(body: .json(answer)))
    }

    func getSession(_ input: Operations.GetSession.Input) async throws -> Operations.GetSession.Output {
        let (sessions, id) = (services.sessions, input.path.sessionId)
        let answer = try await database.withConnection { db in
            try await describe(try await sessions.find(id: id, on: db), on: db)
        }
        return .ok(.init(body: .json(answer)))
    }

    func updateSession(_ input: Operations.UpdateSession.Input) async throws -> Operations.UpdateSession.Output {
        guard case .json(let body) = input.body else { throw AtelierError.badRequest("Send a JSON body.") }
        try InputShape.check(selection: body.selection?.additionalProperties ?? [:], options: body.options?.additionalProperties ?? [:])
        try InputShape.check(zones: body.zones?.additionalProperties ?? [:])
        let (sessions, products, memo, id) = (services.sessions, services.products, services.memo, input.path.sessionId)
        let answer = try await database.transaction { db in
            let session = try await sessions.update(
                id: id, selection: body.selection?.additionalProperties, options: body.options?.additionalProperties,
                zones: body.zones?.additionalProperties.mapValues(CustomizationState.ZoneValue.init), products: products, memo: memo, on: db)
            return try await describe(session, on: db)
        }
        return .ok(.init(body: .json(answer)))
    }

    func requestPreview(_ input: Operations.RequestPreview.Input) async throws -> Operations.RequestPreview.Output {
        let (sessions, products, jobs, memo) = (services.sessions, services.products, services.jobs, services.memo)
        let id = input.path.sessionId
        let preview = try await database.transaction { db -> Components.Schemas.Preview in
            let session = try await sessions.find(id: id, on: db)
            let (evaluation, _, _) = try await sessions.evaluate(session, products: products, memo: memo, on: db)
            guard evaluation.valid else {
                throw AtelierError(.unprocessable, code: .sessionInvalid, title: "The session has errors",
                                   detail: "Fix the session's errors before asking for a preview.",
                                   errors: evaluation.errors)
            }
            let job = try await PreviewJobs.request(for: session, sessions: sessions, queue: jobs, on: db)
            return .init(job)
        }
        return .accepted(.init(body: .json(preview)))
    }

    /// The session as the contract shows it: state, evaluation and preview.
    private func describe(_ session: CustomizationSession, on db: DatabaseConnection) async throws -> Components.Schemas.Session {
        let (evaluation, _, _) = try await services.sessions.evaluate(session, products: services.products, memo: services.memo, on: db)
        let job = try await PreviewJobs.current(for: session, queue: services.jobs, on: db)
        return Components.Schemas.Session(
            id: session.id, productId: session.productId, templateVersion: session.templateVersion,
            selection: .init(additionalProperties: session.state.selection),
            options: .init(additionalProperties: session.state.options),
            zones: .init(additionalProperties: session.state.zones.mapValues(Components.Schemas.ZoneValue.init)),
            valid: evaluation.valid,
            errors: evaluation.errors.map { .init(pointer: $0.pointer, code: $0.code.rawValue, message: $0.message) },
            unitPrice: .init(evaluation.unitPrice, evaluation.currency),
            leadTimeDays: evaluation.leadTimeDays,
            expiresAt: session.expiresAt,
            preview: job.map(Components.Schemas.Preview.init)
        )
    }
}

extension Components.Schemas.Asset {
    init(_ asset: Asset) {
        self.init(id: asset.id, _type: .init(rawValue: asset.type) ?? .png, bytes: asset.bytes, width: asset.width,
                  height: asset.height, url: "/assets/\(asset.id)")
    }
}

extension Components.Schemas.Preview {
    init(_ job: Job) {
        let status = PreviewJobs.status(of: job)
        self.init(jobId: job.id, status: .init(rawValue: status.rawValue)!,
                  url: status == .ready ? job.result.map { "/assets/\($0)" } : nil)
    }
}

extension CustomizationState.ZoneValue {
    init(_ value: Components.Schemas.ZoneValue) {
        self.init(text: value.text.map { .init(text: $0.text, font: $0.font, colour: $0.colour) },
                  image: value.image, colour: value.colour, components: value.components)
    }
}

extension Components.Schemas.ZoneValue {
    init(_ value: CustomizationState.ZoneValue) {
        self.init(text: value.text.map { .init(text: $0.text, font: $0.font, colour: $0.colour) },
                  image: value.image, colour: value.colour, components: value.components)
    }
}
