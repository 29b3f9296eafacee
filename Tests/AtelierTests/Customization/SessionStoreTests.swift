@testable import Atelier
@testable import AtelierCore
@testable import AtelierAssets
@testable import AtelierCatalog
@testable import AtelierCustomization
@testable import AtelierCommerce
@testable import AtelierDelivery
@testable import AtelierInsights
@testable import AtelierPrivacy
@testable import AtelierAccess
import AtelierTestSupport
import Foundation
import SQLKit
import Testing

@Suite struct SessionStoreTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func sessions(at offset: TimeInterval = 0) -> SessionStore { SessionStore(ttl: 3600, clock: .fixed(Self.t0.addingTimeInterval(offset))) }
    let products = ProductStore(shopCurrency: "USD")

    func seed(_ database: any DatabaseClient) async throws -> Product {
        try await database.transaction { db in
            let product = try await ProductStore(shopCurrency: "USD").create(Fixtures.figurine, on: db)
            _ = try await TemplateStore().publish(Fixtures.template, productId: product.id, by: nil, on: db)
            return try await ProductStore(shopCurrency: "USD").find(product.id, on: db)!
        }
    }

    @Test func aSessionPinsTheTemplateVersionAndIsPricedWithEveryErrorListed() async throws {
        try await TestDatabase.with { database in
            let product = try await seed(database)
            let (sessions, products) = (sessions(), self.products)
            let session = try await database.transaction { db in
                try await sessions.create(productRef: "figurine", state: .init(selection: ["size": "large"]), products: products, on: db)
            }
            #expect(session.templateVersion == 1)
            // A newer template does not change what the session uses.
            var edited = Fixtures.template
            edited.zones[0].surcharge = 9999
            let next = edited
            _ = try await database.transaction { db in try await TemplateStore().publish(next, productId: product.id, by: nil, on: db) }
            let (evaluation, _, _) = try await database.withConnection { db in
                try await sessions.evaluate(try await sessions.find(id: session.id, on: db), products: products, on: db)
            }
            let codes = Set(evaluation.errors.map { "\($0.code) \($0.pointer)" })
            #expect(codes == ["missing_dimension /selection/material", "missing_dimension /selection/colour",
                              "too_few_options /options/finish", "required /zones/name", "required /zones/contents"])
            #expect(!evaluation.valid)

            let updated = try await database.transaction { db in
                try await sessions.update(id: session.id, selection: ["size": "large", "material": "resin", "colour": "red"],
                                          options: ["finish": ["gloss"]],
                                          zones: ["name": .init(text: .init(text: "Ada")), "contents": .init(components: ["candle", "tea"])], products: products, on: db)
            }
            let (priced, _, _) = try await database.withConnection { db in try await sessions.evaluate(updated, products: products, on: db) }
            #expect(priced.valid, "\(priced.errors)")
            // 2500 + 3000 + 1500 + gloss 400 + name zone 300 (v1, not v2's 9999) + candle 1200 + tea 800
            #expect(priced.unitPrice == 2500 + 3000 + 1500 + 400 + 300 + 1200 + 800)
            #expect(priced.leadTimeDays == 4 + 5)

            // An empty value clears a zone; other zones stay.
            let cleared = try await database.transaction { db in
                try await sessions.update(id: session.id, selection: nil, options: nil, zones: ["contents": .init()], products: products, on: db)
            }
            #expect(cleared.state.zones.keys.sorted() == ["name"])
            #expect(cleared.state.selection["material"] == "resin")
        }
    }

    @Test func expiredSessionsAnswer410AndAreCleanedUp() async throws {
        try await TestDatabase.with { database in
            _ = try await seed(database)
            let products = self.products
            let session = try await database.transaction { db in
                try await sessions().create(productRef: "figurine", state: .init(), products: products, on: db)
            }
            let later = sessions(at: 3601)
            let error = await #expect(throws: AtelierError.self) {
                try await database.withConnection { db in try await later.find(id: session.id, on: db) }
            }
            #expect(error?.code.rawValue == "session_expired")
            #expect(error?.status == 410)
            // Kept for an hour after expiry (so clients see 410, not 404), then deleted.
            #expect(try await database.transaction { db in try await later.deleteExpired(on: db) } == 0)
            #expect(try await database.transaction { db in try await sessions(at: 3601 + 3601).deleteExpired(on: db) } == 1)
            let gone = await #expect(throws: AtelierError.self) {
                try await database.withConnection { db in try await later.find(id: session.id, on: db) }
            }
            #expect(gone?.code.rawValue == "not_found")
        }
    }

    @Test func theSameChoicesArePreviewedOnce() async throws {
        try await TestDatabase.with { database in
            _ = try await seed(database)
            let (sessions, products, queue) = (sessions(), self.products, JobQueue(backend: database.backend))
            let state = CustomizationState(zones: ["name": .init(text: .init(text: "Ada"))])
            let (a, b) = try await database.transaction { db in
                (try await sessions.create(productRef: "figurine", state: state, products: products, on: db),
                 try await sessions.create(productRef: "figurine", state: state, products: products, on: db))
            }
            let first = try await database.transaction { db in try await PreviewJobs.request(for: a, sessions: sessions, queue: queue, on: db) }
            let second = try await database.transaction { db in try await PreviewJobs.request(for: b, sessions: sessions, queue: queue, on: db) }
            #expect(first.id == second.id)
            let storage = LocalAssetStorage(root: FileManager.default.temporaryDirectory.appendingPathComponent("atelier-test-\(UUID().uuidString)"))
            let worker = JobWorker(database: database, handlers: [PreviewJobs.handler(database: database, assets: AssetStore(storage: storage))],
                                   logger: TestDatabase.logger)
            #expect(try await worker.runOne())
            #expect(try await worker.runOne() == false)
            let done = try await database.withConnection { db in try await queue.find(id: first.id, on: db) }
            #expect(done?.state == .succeeded)
            let asset = try await database.withConnection { db in try await AssetStore.find(id: done!.result!, on: db) }
            #expect(asset?.type == "svg")
            #expect(asset?.kind == .preview)
            let svg = try await storage.get(key: asset!.storageKey).map { String(decoding: $0, as: UTF8.self) }
            #expect(svg?.contains(">Ada</tspan>") == true)
            try? FileManager.default.removeItem(at: storage.root)
        }
    }

    @Test func aPreviewOfEarlierChoicesIsNeverAttached() async throws {
        try await TestDatabase.with { database in
            _ = try await seed(database)
            let (sessions, products, queue) = (sessions(), self.products, JobQueue(backend: database.backend))
            let session = try await database.transaction { db in
                try await sessions.create(productRef: "figurine", state: .init(zones: ["name": .init(text: .init(text: "Ada"))]),
                                          products: products, on: db)
            }
            let job = try await database.transaction { db in try await PreviewJobs.request(for: session, sessions: sessions, queue: queue, on: db) }
            let storage = LocalAssetStorage(root: FileManager.default.temporaryDirectory.appendingPathComponent("atelier-test-\(UUID().uuidString)"))
            defer { try? FileManager.default.removeItem(at: storage.root) }
            let worker = JobWorker(database: database, handlers: [PreviewJobs.handler(database: database, assets: AssetStore(storage: storage))],
                                   logger: TestDatabase.logger)
            #expect(try await worker.runOne())
            let previewed = try await database.withConnection { db in try await sessions.find(id: session.id, on: db) }
            let ready = try await database.withConnection { db in try await PreviewJobs.readyAsset(for: previewed, queue: queue, on: db) }
            #expect(ready != nil)

            // The shopper changes the text: the preview of "Ada" no longer belongs to the session.
            let changed = try await database.transaction { db in
                try await sessions.update(id: session.id, selection: nil, options: nil, zones: ["name": .init(text: .init(text: "Grace"))],
                                          products: products, on: db)
            }
            #expect(changed.previewJobId == nil)
            #expect(try await database.withConnection { db in try await PreviewJobs.readyAsset(for: changed, queue: queue, on: db) } == nil)
            // Even a session still pointing at the old job (written before this rule) gets no preview of other choices.
            try await database.transaction { db in try await sessions.setPreviewJob(sessionId: session.id, jobId: job.id, on: db) }
            let pointing = try await database.withConnection { db in try await sessions.find(id: session.id, on: db) }
            #expect(pointing.previewJobId == job.id)
            #expect(try await database.withConnection { db in try await PreviewJobs.current(for: pointing, queue: queue, on: db) } == nil)
            // An update that changes nothing keeps the preview.
            let back = try await database.transaction { db in
                try await sessions.update(id: session.id, selection: nil, options: nil, zones: ["name": .init(text: .init(text: "Ada"))],
                                          products: products, on: db)
            }
            #expect(try await database.withConnection { db in try await PreviewJobs.readyAsset(for: back, queue: queue, on: db) } == nil)
            let same = try await database.transaction { db in
                try await PreviewJobs.request(for: back, sessions: sessions, queue: queue, on: db)
            }
            #expect(same.id == job.id)  // the same choices as before: the same render, ready at once
            let again = try await database.transaction { db in
                try await sessions.update(id: session.id, selection: nil, options: nil, zones: nil, products: products, on: db)
            }
            #expect(try await database.withConnection { db in try await PreviewJobs.readyAsset(for: again, queue: queue, on: db) } == ready)
        }
    }

    @Test func unknownKeysAndOversizedChoicesAreNeverStored() async throws {
        try await TestDatabase.with { database in
            _ = try await seed(database)
            let (sessions, products) = (sessions(), self.products)
            let unknown = CustomizationState(selection: ["flavour": "mint"], options: ["engraving": ["x"]],
                                             zones: ["nope": .init(text: .init(text: "x"))])
            let refused = await #expect(throws: AtelierError.self) {
                try await database.transaction { db in try await sessions.create(productRef: "figurine", state: unknown, products: products, on: db) }
            }
            #expect(refused?.status == 422)
            #expect(Set(refused?.errors.map(\.code.rawValue) ?? []) == ["unknown_dimension", "unknown_option_set", "unknown_zone"])
            let session = try await database.transaction { db in
                try await sessions.create(productRef: "figurine", state: .init(), products: products, on: db)
            }
            let huge = String(repeating: "é", count: 20_000)
            let tooLarge = await #expect(throws: AtelierError.self) {
                try await database.transaction { db in
                    try await sessions.update(id: session.id, selection: nil, options: nil, zones: ["name": .init(text: .init(text: huge))],
                                              products: products, on: db)
                }
            }
            #expect(tooLarge?.code.rawValue == "session_too_large")
            let stored = try await database.withConnection { db in
                try await db.raw("SELECT COUNT(*) AS n FROM customization_sessions").first()?.decode(column: "n", as: Int.self)
            }
            #expect(stored == 1)
            let kept = try await database.withConnection { db in try await sessions.find(id: session.id, on: db) }
            #expect(kept.state == CustomizationState())
        }
    }
}
