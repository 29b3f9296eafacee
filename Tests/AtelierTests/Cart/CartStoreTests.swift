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

/// Carts on SQLite, or on PostgreSQL with ATELIER_TEST_POSTGRES_URL.
@Suite struct CartStoreTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func carts(at offset: TimeInterval = 0, limits: CartLimits = .init()) -> CartStore {
        CartStore(ttl: 86_400, limits: limits, clock: .fixed(Self.t0.addingTimeInterval(offset)))
    }

    let pricing = CartPricing(currency: "USD", taxMode: .exclusive, calendar: .init(), clock: .fixed(t0))
    let products = ProductStore(shopCurrency: "USD")

    /// The figurine (variants and add-ons) with its template (text, image, colour and component zones).
    func seed(_ database: any DatabaseClient) async throws -> Product {
        try await database.transaction { db in
            let product = try await ProductStore(shopCurrency: "USD").create(Fixtures.figurine, on: db)
            _ = try await TemplateStore().publish(Fixtures.template, productId: product.id, by: nil, on: db)
            return try await ProductStore(shopCurrency: "USD").find(product.id, on: db)!
        }
    }

    static let selection = ["size": "large", "material": "pla", "colour": "red"]

    func line(_ product: Product, name: String = "Ada", options: [String] = ["matte"], extras: [String] = [],
              components: [String] = ["tea"], quantity: Int = 1) -> CartStore.NewLine {
        let state = CustomizationState(
            selection: Self.selection, options: ["finish": options, "extras": extras],
            zones: ["name": .init(text: .init(text: name, font: "Inter")), "contents": .init(components: components)])
        // Base 2500 + large 3000 + the name zone 300 + components and add-ons at their prices.
        let prices: [String: Int64] = ["tea": 800, "candle": 1200, "gloss": 400, "gift_wrap": 350, "card": 200, "stand": 900]
        let unit = 5800 + (components + options + extras).reduce(Int64(0)) { $0 + (prices[$1] ?? 0) }
        return .init(productId: product.id, templateVersion: product.templateVersion, state: state, quantity: quantity,
                     unitPrice: unit, currency: "USD")
    }

    @Test func identicalLinesMergeAndAnyDifferenceMakesANewLine() async throws {
        try await TestDatabase.with { database in
            let product = try await seed(database)
            let carts = carts()
            let (cart, key) = try await database.transaction { db in try await carts.findOrCreate(key: nil, on: db) }
            let key2 = try #require(key)
            #expect(CartKey.isWellFormed(key2))
            func add(_ new: CartStore.NewLine) async throws -> Bool {
                try await database.transaction { db in try await carts.add(new, to: cart.id, on: db).merged }
            }
            #expect(try await add(line(product, extras: ["gift_wrap", "card"], components: ["tea", "candle"])) == false)
            // The same choices in another order, and the same text in another Unicode form, are the same line.
            #expect(try await add(line(product, extras: ["card", "gift_wrap"], components: ["candle", "tea"], quantity: 2)) == true)
            #expect(try await add(line(product, name: "Zoe\u{0301}", quantity: 1)) == false)
            #expect(try await add(line(product, name: "Zo\u{00e9}", quantity: 1)) == true)
            // A different text, add-on or component is a different line.
            #expect(try await add(line(product, name: "Bea")) == false)
            #expect(try await add(line(product, options: ["gloss"])) == false)
            #expect(try await add(line(product, components: ["candle"])) == false)
            var other = line(product)
            other.templateVersion = 2
            #expect(try await add(other) == false)

            let loaded = try #require(try await database.withConnection { db in try await carts.find(key: key2, on: db) })
            #expect(loaded.lines.count == 6)
            #expect(loaded.lines[0].quantity == 3)
            #expect(loaded.lines[1].quantity == 2)
            #expect(loaded.units == 3 + 2 + 4)
        }
    }

    @Test func limitsOnQuantityLinesAndSizeAre422WithTheirCodes() async throws {
        try await TestDatabase.with { database in
            let product = try await seed(database)
            let carts = carts(limits: .init(maxQuantityPerLine: 5, maxLines: 2, maxUnits: 8))
            let cart = try await database.transaction { db in try await carts.findOrCreate(key: nil, on: db).cart }
            func code(_ new: CartStore.NewLine) async -> String? {
                do {
                    _ = try await database.transaction { db in try await carts.add(new, to: cart.id, on: db) }
                    return nil
                } catch let error as AtelierError {
                    return error.code.rawValue
                } catch { return "\(error)" }
            }
            #expect(await code(line(product, quantity: 6)) == "quantity_limit")
            #expect(await code(line(product, quantity: 0)) == "quantity_limit")
            #expect(await code(line(product, quantity: 4)) == nil)
            #expect(await code(line(product, quantity: 2)) == "quantity_limit")  // merging would make 6
            #expect(await code(line(product, name: "B", quantity: 5)) == "cart_size_limit")  // 4 + 5 > 8
            #expect(await code(line(product, name: "B", quantity: 4)) == nil)
            #expect(await code(line(product, name: "C", quantity: 0 + 1)) == "cart_size_limit")
            let lines = try await database.withConnection { db in
                try await db.select().column("quantity").from("cart_lines").where("cart_id", .equal, cart.id)
                    .all(decodingColumn: "quantity", as: Int.self)
            }
            #expect(lines.sorted() == [4, 4])
            // Lines are bounded too: a roomier size limit, a third line.
            let roomy = self.carts(limits: .init(maxQuantityPerLine: 5, maxLines: 2, maxUnits: 100))
            await #expect(throws: AtelierError.self) {
                _ = try await database.transaction { db in try await roomy.add(line(product, name: "C"), to: cart.id, on: db) }
            }
        }
    }

    @Test func cartsExpireAfterTheirIdleTimeAndAreCleanedUp() async throws {
        try await TestDatabase.with { database in
            let product = try await seed(database)
            let (cart, key) = try await database.transaction { db in try await carts().findOrCreate(key: nil, on: db) }
            _ = try await database.transaction { db in try await carts().add(line(product), to: cart.id, on: db) }
            #expect(try await database.withConnection { db in try await carts(at: 86_000).find(key: key, on: db) } != nil)
            #expect(try await database.withConnection { db in try await carts(at: 86_401).find(key: key, on: db) } == nil)
            // An expired key opens a new cart with a new key.
            let (fresh, newKey) = try await database.transaction { db in try await carts(at: 86_401).findOrCreate(key: key, on: db) }
            #expect(fresh.id != cart.id && newKey != nil && newKey != key)
            let removed = try await database.transaction { db in try await carts(at: 86_401).deleteExpired(on: db) }
            #expect(removed == 1)
            let orphans = try await database.withConnection { db in
                try await db.select().column("id").from("cart_lines").where("cart_id", .equal, cart.id).all().count
            }
            #expect(orphans == 0)
        }
    }

    @Test func twoShoppersNeverSeeEachOthersCart() async throws {
        try await TestDatabase.with { database in
            let product = try await seed(database)
            let carts = carts()
            let (a, keyA) = try await database.transaction { db in try await carts.findOrCreate(key: nil, on: db) }
            let (b, keyB) = try await database.transaction { db in try await carts.findOrCreate(key: nil, on: db) }
            #expect(a.id != b.id && keyA != keyB)
            _ = try await database.transaction { db in try await carts.add(line(product, name: "Alice"), to: a.id, on: db) }
            _ = try await database.transaction { db in try await carts.add(line(product, name: "Bob"), to: b.id, on: db) }
            let seenA = try await database.withConnection { db in try await carts.find(key: keyA, on: db) }
            let seenB = try await database.withConnection { db in try await carts.find(key: keyB, on: db) }
            #expect(seenA?.lines.map { $0.state.zones["name"]?.text?.text } == ["Alice"])
            #expect(seenB?.lines.map { $0.state.zones["name"]?.text?.text } == ["Bob"])
            // A line of one cart cannot be changed or removed through the other.
            let lineA = try #require(seenA?.lines.first?.id)
            await #expect(throws: AtelierError.self) {
                try await database.transaction { db in try await carts.remove(lineId: lineA, from: b.id, on: db) }
            }
            await #expect(throws: AtelierError.self) {
                try await database.transaction { db in try await carts.setQuantity(2, lineId: lineA, currentUnitPrice: nil, in: b.id, on: db) }
            }
            // Keys that are malformed, guessed or altered open nothing.
            for bad in [nil, "", "cs_", String(keyA!.dropLast()) + "A", keyA!.uppercased(), "cs_" + String(repeating: "a", count: 43)] {
                let found = try await database.withConnection { db in try await carts.find(key: bad, on: db) }
                #expect(found == nil || found?.id == a.id && bad == keyA)
            }
            // Only the key's hash is stored.
            let hashes = try await database.withConnection { db in
                try await db.select().column("key_hash").from("carts").all(decodingColumn: "key_hash", as: String.self)
            }
            #expect(!hashes.contains(keyA!) && hashes.contains(Secret.sha256Hex(keyA!)))
        }
    }

    @Test func concurrentAddsOfOneLineMergeIntoOne() async throws {
        try await TestDatabase.with { database in
            let product = try await seed(database)
            let carts = carts()
            let cart = try await database.transaction { db in try await carts.findOrCreate(key: nil, on: db).cart }
            let new = line(product)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<20 {
                    group.addTask { _ = try await database.transaction { db in try await carts.add(new, to: cart.id, on: db) } }
                }
                try await group.waitForAll()
            }
            let quantities = try await database.withConnection { db in
                try await db.select().column("quantity").from("cart_lines").where("cart_id", .equal, cart.id)
                    .all(decodingColumn: "quantity", as: Int.self)
            }
            #expect(quantities == [20])
        }
    }

    /// The path `POST /cart/items` takes: the cart found by its key and held from that read, its lines not read again.
    /// On PostgreSQL the adds run at once; the row held from the first read makes them merge one after the other.
    @Test func concurrentAddsToAHeldCartMergeIntoOne() async throws {
        try await TestDatabase.with { database in
            let product = try await seed(database)
            let carts = carts()
            let key = try #require(try await database.transaction { db in try await carts.findOrCreate(key: nil, on: db).newKey })
            let new = line(product)
            let answers = try await withThrowingTaskGroup(of: Cart.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        try await database.transaction { db in
                            let (cart, newKey) = try await carts.findOrCreate(key: key, on: db, forUpdate: true)
                            #expect(newKey == nil)
                            return try await carts.add(new, toHeld: cart, on: db).cart
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            // Each answer is the cart as its add left it: together they counted 1 to 20.
            #expect(answers.map { $0.lines.map(\.quantity) }.sorted { $0[0] < $1[0] } == (1...20).map { [$0] })
            let stored = try #require(try await database.withConnection { db in try await carts.find(key: key, on: db) })
            #expect(stored.lines.map(\.quantity) == [20])
        }
    }

    @Test func everyReadRevalidatesAndFlagsWhatChanged() async throws {
        try await TestDatabase.with { database in
            let product = try await seed(database)
            let carts = carts()
            let (cart, key) = try await database.transaction { db in try await carts.findOrCreate(key: nil, on: db) }
            // Candles are tracked: 3 in stock.
            _ = try await database.transaction { db in
                try await InventoryStore().apply([.init(target: .component("candle"), tracked: true, onHand: 3)],
                                                 to: product, template: Fixtures.template, on: db)
            }
            for new in [line(product), line(product, name: "Two", components: ["candle"], quantity: 2),
                        line(product, name: "Three", components: ["candle", "tea"], quantity: 1)] {
                _ = try await database.transaction { db in try await carts.add(new, to: cart.id, on: db) }
            }
            func review() async throws -> CartReview {
                try await database.withConnection { db in
                    try await pricing.review(try await carts.find(key: key, on: db)!, on: db)
                }
            }
            var current = try await review()
            #expect(current.lines.map { $0.flags.map(\.code.rawValue) } == [[], [], []])
            #expect(current.lines[0].unit.total == 6600)
            #expect(current.lines[0].shipDate == "2027-01-22")  // base 4 + the slowest value (large, 3) days after 2027-01-15
            #expect(!current.blocked)

            // More candles asked for than are left: both lines that use them are flagged.
            _ = try await database.transaction { db in
                try await InventoryStore().apply([.init(target: .component("candle"), tracked: true, onHand: 2)],
                                                 to: product, template: Fixtures.template, on: db)
            }
            current = try await review()
            #expect(current.lines.map { $0.flags.map(\.code.rawValue) } == [[], ["insufficient_stock"], ["insufficient_stock"]])
            #expect(current.lines[1].flags.first?.available == 2)
            #expect(current.blocked)
            _ = try await database.transaction { db in
                try await InventoryStore().apply([.init(target: .component("candle"), tracked: false, onHand: 0)],
                                                 to: product, template: Fixtures.template, on: db)
            }

            // A price change is flagged with both prices; it does not block.
            var edited = Fixtures.figurine
            edited.basePrice = 2700
            let repriced = edited
            _ = try await database.transaction { db in try await products.replace(id: product.id, with: repriced, on: db) }
            current = try await review()
            let flag = try #require(current.lines[0].flags.first)
            #expect(flag.code.rawValue == "price_changed" && !flag.blocking)
            #expect(flag.previousUnitPrice == 6600 && flag.currentUnitPrice == 6800)
            #expect(current.lines[0].unit.total == 6800)
            #expect(!current.blocked)
            // Changing the quantity accepts the new price.
            let firstLine = current.lines[0].line.id
            try await database.transaction { db in
                try await carts.setQuantity(2, lineId: firstLine, currentUnitPrice: 6800, in: cart.id, on: db)
            }
            #expect(try await review().lines[0].flags.isEmpty)

            // A new template version informs; the line keeps its version and price.
            _ = try await database.transaction { db in try await TemplateStore().publish(Fixtures.template, productId: product.id, by: nil, on: db) }
            current = try await review()
            #expect(current.lines[0].flags.map(\.code.rawValue) == ["template_changed"])
            #expect(!current.blocked)

            // A deactivated value blocks.
            edited.dimensions[0].values[1].active = false
            let deactivated = edited
            _ = try await database.transaction { db in try await products.replace(id: product.id, with: deactivated, on: db) }
            current = try await review()
            #expect(current.lines[0].flags.map(\.code.rawValue) == ["variant_unavailable"])
            #expect(current.lines[0].errors.map(\.code.rawValue) == ["inactive_value"])
            #expect(current.blocked)

            // An archived product blocks and prices as nothing.
            _ = try await database.transaction { db in try await products.archive(id: product.id, on: db) }
            current = try await review()
            #expect(current.lines.allSatisfy { $0.flags.first?.code.rawValue == "product_unavailable" })
        }
    }
}
