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

@Suite struct CatalogStoreTests {
    let store = ProductStore(shopCurrency: "USD")

    @Test func createsFindsByIdOrSlugAndRefusesATakenSlug() async throws {
        try await TestDatabase.with { database in
            let store = self.store
            let created = try await database.transaction { db in try await store.create(Fixtures.figurine, on: db) }
            #expect(created.minPrice == 2500)
            #expect(created.maxPrice == 7000)
            let byID = try await database.withConnection { db in try await store.find(created.id, on: db) }
            let bySlug = try await database.withConnection { db in try await store.find("figurine", on: db) }
            #expect(byID == created)
            #expect(bySlug == created)
            let error = await #expect(throws: AtelierError.self) {
                try await database.transaction { db in try await store.create(Fixtures.figurine, on: db) }
            }
            #expect(error?.code.rawValue == "slug_taken")
        }
    }

    @Test func aRejectedProductWritesNothing() async throws {
        try await TestDatabase.with { database in
            var bad = Fixtures.figurine
            bad.optionSets[0].minSelect = 5
            let store = self.store
            let rejected = bad
            let error = await #expect(throws: AtelierError.self) {
                try await database.transaction { db in try await store.create(rejected, on: db) }
            }
            #expect(error?.code.rawValue == "validation_failed")
            let count = try await database.withConnection { db in try await db.raw("SELECT COUNT(*) AS n FROM products").first(decodingColumn: "n", as: Int.self) }
            #expect(count == 0)
        }
    }

    @Test func replacingBumpsTheRevisionAndTheCatalogRevision() async throws {
        try await TestDatabase.with { database in
            let store = self.store
            let created = try await database.transaction { db in try await store.create(Fixtures.figurine, on: db) }
            let before = try await database.withConnection { db in try await CatalogRevision.current(on: db) }
            var changed = Fixtures.figurine
            changed.name = "Figurine deluxe"
            changed.basePrice = 2900
            let replacement = changed
            let replaced = try await database.transaction { db in try await store.replace(id: created.id, with: replacement, on: db) }
            #expect(replaced.revision == created.revision + 1)
            #expect(replaced.definition.name == "Figurine deluxe")
            #expect(replaced.minPrice == 2900)
            let after = try await database.withConnection { db in try await CatalogRevision.current(on: db) }
            #expect(after > before)
        }
    }

    @Test func publicListsHideInactiveAndArchivedProductsAndFilter() async throws {
        try await TestDatabase.with { database in
            let store = self.store
            try await database.transaction { db in
                _ = try await CategoryStore().create(slug: "toys", name: "Toys", on: db)
                var a = Fixtures.figurine; a.slug = "a-dragon"; a.name = "Ceramic Dragón"; a.category = "toys"
                var b = Fixtures.figurine; b.slug = "b-hidden"; b.name = "Hidden dragon"; b.active = false
                var c = Fixtures.figurine; c.slug = "c-archived"; c.name = "Old dragon"
                var d = Fixtures.figurine; d.slug = "d-cat"; d.name = "Cat 100% cute"
                _ = try await store.create(a, on: db)
                _ = try await store.create(b, on: db)
                let archived = try await store.create(c, on: db)
                _ = try await store.create(d, on: db)
                _ = try await store.archive(id: archived.id, on: db)
            }
            func slugs(_ filter: ProductStore.ListFilter) async throws -> [String] {
                try await database.withConnection { db in try await store.list(filter, page: PageRequest(limit: 50), on: db) }.items.map(\.definition.slug)
            }
            #expect(try await slugs(.init(publicOnly: true)) == ["a-dragon", "d-cat"])
            #expect(try await slugs(.init(publicOnly: false)) == ["a-dragon", "b-hidden", "c-archived", "d-cat"])
            #expect(try await slugs(.init(category: "toys", publicOnly: true)) == ["a-dragon"])
            // Case- and accent-insensitive, and LIKE wildcards are literal.
            #expect(try await slugs(.init(search: "DRAGON", publicOnly: true)) == ["a-dragon"])
            #expect(try await slugs(.init(search: "100%", publicOnly: true)) == ["d-cat"])
            #expect(try await slugs(.init(search: "%", publicOnly: true)) == ["d-cat"])
            #expect(try await slugs(.init(search: "_", publicOnly: true)) == [])
        }
    }

    @Test func pagesFollowCreationOrder() async throws {
        try await TestDatabase.with { database in
            let store = self.store
            try await database.transaction { db in
                for i in 0..<7 {
                    var p = Fixtures.figurine
                    p.slug = "p\(i)"
                    _ = try await ProductStore(shopCurrency: "USD", clock: .fixed(Date(timeIntervalSince1970: 1_800_000_000 + Double(i)))).create(p, on: db)
                }
            }
            var seen: [String] = []
            var page = PageRequest(limit: 3)
            while true {
                let request = page
                let result = try await database.withConnection { db in try await store.list(.init(publicOnly: true), page: request, on: db) }
                seen += result.items.map(\.definition.slug)
                guard let next = result.nextCursor else { break }
                page = try PageRequest(limit: 3, cursor: next)
            }
            #expect(seen == (0..<7).map { "p\($0)" })
        }
    }

    @Test func publishingAnEditNeverChangesAnOlderVersion() async throws {
        try await TestDatabase.with { database in
            let store = self.store
            let templates = TemplateStore()
            let product = try await database.transaction { db in try await store.create(Fixtures.figurine, on: db) }
            let v1 = try await database.transaction { db in try await templates.publish(Fixtures.template, productId: product.id, by: "key_a", on: db) }
            var edited = Fixtures.template
            edited.zones[0].text!.maxLength = 12
            edited.zones.removeLast()
            let next = edited
            let v2 = try await database.transaction { db in try await templates.publish(next, productId: product.id, by: "key_b", on: db) }
            #expect(v1.version == 1)
            #expect(v2.version == 2)
            let readBack = try await database.withConnection { db in try await templates.find(productId: product.id, version: 1, on: db) }
            #expect(readBack?.definition == Fixtures.template)
            let current = try await database.withConnection { db in try await store.find(product.id, on: db) }
            #expect(current?.templateVersion == 2)
            let all = try await database.withConnection { db in try await templates.all(productId: product.id, on: db) }
            #expect(all.map(\.version) == [1, 2])
        }
    }

    @Test func concurrentPublishersGetDistinctVersions() async throws {
        try await TestDatabase.with { database in
            let store = self.store
            let product = try await database.transaction { db in try await store.create(Fixtures.figurine, on: db) }
            let versions = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        try await database.transaction { db in
                            try await TemplateStore().publish(Fixtures.template, productId: product.id, by: nil, on: db).version
                        }
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(versions.sorted() == Array(1...6))
        }
    }

    @Test func inventoryTracksVariantsAndComponentsAndShowsOnlyAvailability() async throws {
        try await TestDatabase.with { database in
            let store = self.store
            let inventory = InventoryStore()
            let (product, template) = try await database.transaction { db in
                var single = Fixtures.figurine
                single.dimensions = [single.dimensions[0]]
                single.exclusions = []
                let product = try await store.create(single, on: db)
                let template = try await TemplateStore().publish(Fixtures.template, productId: product.id, by: nil, on: db)
                return (product, template)
            }
            let bad = await #expect(throws: AtelierError.self) {
                try await database.transaction { db in
                    try await inventory.apply([
                        .init(target: .component("champagne"), tracked: true, onHand: 3),
                        .init(target: .variant(["size": "medium"]), tracked: true, onHand: 3),
                        .init(target: .component("candle"), tracked: true, onHand: -1),
                    ], to: product, template: template.definition, on: db)
                }
            }
            #expect(Fixtures.has(bad?.errors ?? [], "unknown_component", at: "/items/0/component"))
            #expect(Fixtures.has(bad?.errors ?? [], "unknown_value", at: "/items/1/variant/size"))
            #expect(Fixtures.has(bad?.errors ?? [], "out_of_range", at: "/items/2/onHand"))

            let items = try await database.transaction { db in
                try await inventory.apply([
                    .init(target: .variant(["size": "small"]), tracked: true, onHand: 0),
                    .init(target: .variant(["size": "large"]), tracked: true, onHand: 4),
                    .init(target: .component("candle"), tracked: true, onHand: 0),
                ], to: product, template: template.definition, on: db)
            }
            #expect(items.count == 3)
            var availability = InventoryStore.availability(of: product, template: template.definition, items: items)
            #expect(availability.available)  // large is in stock; tea is untracked so a box with 1..3 items can be built
            #expect(availability.soldOutVariants == [["size": "small"]])
            #expect(availability.soldOutComponents == ["candle"])

            let after = try await database.transaction { db in
                try await inventory.apply([.init(target: .variant(["size": "large"]), tracked: true, onHand: 0)],
                                          to: product, template: template.definition, on: db)
            }
            availability = InventoryStore.availability(of: product, template: template.definition, items: after)
            #expect(!availability.available)
            let untracked = try await database.transaction { db in
                try await inventory.apply([.init(target: .variant(["size": "large"]), tracked: false, onHand: 0)],
                                          to: product, template: template.definition, on: db)
            }
            #expect(untracked.count == 2)
            #expect(InventoryStore.availability(of: product, template: template.definition, items: untracked).available)
        }
    }

    @Test func aBulkUploadWithOneBadItemWritesNothingAndReportsEveryProblem() async throws {
        try await TestDatabase.with { database in
            var good = Fixtures.figurine
            good.slug = "good-one"
            var bad = Fixtures.figurine
            bad.slug = "bad one"
            bad.optionSets[0].minSelect = 9
            var badTemplate = Fixtures.template
            badTemplate.zones[0].text!.fonts = ["Papyrus"]
            let items: [CatalogImport.Item] = [.init(definition: good, template: Fixtures.template),
                                               .init(definition: bad, template: badTemplate), .init(definition: good)]
            let importer = CatalogImport(products: store, templates: TemplateStore())
            let error = await #expect(throws: AtelierError.self) {
                try await database.transaction { db in
                    try await importer.apply(items, by: nil, on: db)
                }
            }
            let errors = error?.errors ?? []
            #expect(Fixtures.has(errors, "invalid_slug", at: "/products/1/slug"))
            #expect(Fixtures.has(errors, "min_exceeds_max", at: "/products/1/optionSets/0/minSelect"))
            #expect(Fixtures.has(errors, "unknown_font", at: "/products/1/template/zones/0/text/fonts/0"))
            #expect(Fixtures.has(errors, "duplicate_slug", at: "/products/2/slug"))
            let counts = try await database.withConnection { db in
                (try await db.raw("SELECT COUNT(*) AS n FROM products").first(decodingColumn: "n", as: Int.self),
                 try await db.raw("SELECT COUNT(*) AS n FROM product_templates").first(decodingColumn: "n", as: Int.self))
            }
            #expect(counts.0 == 0)
            #expect(counts.1 == 0)
        }
    }

    @Test func aBulkUploadCreatesUpdatesAndPublishesOnlyChangedTemplates() async throws {
        try await TestDatabase.with { database in
            let importer = CatalogImport(products: store, templates: TemplateStore())
            let first = try await database.transaction { db in
                try await importer.apply([.init(definition: Fixtures.figurine, template: Fixtures.template)], by: nil, on: db)
            }
            #expect(first.created.count == 1)
            #expect(first.templatesPublished == 1)
            var renamed = Fixtures.figurine
            renamed.name = "Renamed"
            let update = renamed
            let second = try await database.transaction { db in
                try await importer.apply([.init(definition: update, template: Fixtures.template)], by: nil, on: db)
            }
            #expect(second.updated.map(\.definition.name) == ["Renamed"])
            #expect(second.templatesPublished == 0)
        }
    }

    @Test func theDemoCatalogLoadsOnceAndShowsEveryFeature() async throws {
        try await TestDatabase.with { database in
            let loaded = try await database.transaction { db in try await DemoCatalog.loadOnFirstStart(currency: "USD", on: db) }
            let again = try await database.transaction { db in try await DemoCatalog.loadOnFirstStart(currency: "USD", on: db) }
            #expect(loaded)
            #expect(!again)
            let store = self.store
            let figurine = try await database.withConnection { db in try await store.find("3d-printed-figurine", on: db) }
            #expect(figurine?.definition.problems(ofSelection: ["size": "small", "material": "abs", "colour": "white"]).map(\.code.rawValue) == ["excluded_combination"])
            let box = try await database.withConnection { db in try await store.find("build-your-own-gift-box", on: db) }
            let stock = try await database.withConnection { db in try await InventoryStore().items(productId: box!.id, on: db) }
            #expect(stock.map(\.target) == [.component("scented_candle")])
            let page = try await database.withConnection { db in try await store.list(.init(publicOnly: true), page: PageRequest(limit: 10), on: db) }
            #expect(page.items.count == 4)
        }
    }
}
