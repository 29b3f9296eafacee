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
import Crypto
import Foundation
import Logging
import SQLKit
import Testing

/// Checkout, payment events and orders on SQLite, or on PostgreSQL with ATELIER_TEST_POSTGRES_URL.
@Suite struct CheckoutTests {
    let cipher = PersonalDataCipher.random()
    let carts = CartStore(ttl: 86_400)

    var service: CheckoutService {
        CheckoutService(carts: carts, pricing: CartPricing(currency: "USD", taxMode: .exclusive, calendar: .init()),
                        cipher: cipher, providers: [.test])
    }

    static let customer = CustomerDetails(
        email: "Ada.Lovelace@example.com", name: "Ada Lovelace", phone: "+44 20 7946 0000",
        shippingAddress: .init(name: "Ada Lovelace", line1: "12 Marylebone Road", city: "London", postalCode: "NW1 5LR", country: "GB"))

    /// A plain product (one tracked variant with `stock` units) and a shipping method to the UK.
    func seed(_ database: any DatabaseClient, stock: Int = 10) async throws -> Product {
        try await database.transaction { db in
            let products = ProductStore(shopCurrency: "USD")
            let product = try await products.create(ProductDefinition(
                slug: "mug", name: "Mug", basePrice: 1500, currency: "USD", baseLeadTimeDays: 2,
                dimensions: [.init(code: "size", name: "Size", values: [.init(code: "s", name: "S"), .init(code: "l", name: "L", priceAdjustment: 500)])]),
                on: db)
            _ = try await InventoryStore().apply([.init(target: .variant(["size": "l"]), tracked: true, onHand: stock)], to: product, template: nil, on: db)
            _ = try await ShippingMethodStore().create(ShippingMethod(code: "post", name: "Post", rates: [.init(country: "*", baseAmount: 400)]), on: db)
            return product
        }
    }

    /// A cart with `quantity` large mugs; answers its key.
    func cart(_ database: any DatabaseClient, _ product: Product, quantity: Int = 1) async throws -> String {
        try await database.transaction { db in
            let (cart, key) = try await carts.findOrCreate(key: nil, on: db)
            _ = try await carts.add(.init(productId: product.id, templateVersion: nil, state: .init(selection: ["size": "l"]),
                                          quantity: quantity, unitPrice: 2000, currency: "USD"), to: cart.id, on: db)
            return key!
        }
    }

    func openCheckout(_ database: any DatabaseClient, _ product: Product) async throws -> Checkout {
        let key = try await cart(database, product)
        return try await database.transaction { db in
            try await service.start(cartKey: key, .init(customer: Self.customer, provider: .test), on: db).0
        }
    }

    func stock(_ database: any DatabaseClient, _ product: Product) async throws -> (onHand: Int, reserved: Int) {
        let item = try await database.withConnection { db in try await InventoryStore().items(productId: product.id, on: db) }.first!
        return (item.onHand, item.reserved)
    }

    func succeeded(_ checkout: Checkout, id: String = UUID().uuidString, amount: Int64? = nil) -> PaymentEvent {
        PaymentEvent(provider: .test, eventId: id, kind: .succeeded, checkoutId: checkout.id, providerRef: nil,
                     amount: amount ?? checkout.total, currency: checkout.currency, payload: "{}")
    }

    /// `POST /checkout/{id}/test-payment`: the token opens the checkout, the report goes the webhook's way, and the
    /// answer carries the checkout and its order as they are after it — also when it was paid before.
    @Test func aTestPaymentReportIsAppliedOnceAndAnswersTheOrder() async throws {
        try await TestDatabase.with { database in
            let product = try await seed(database)
            let key = try await cart(database, product)
            let (checkout, token) = try await database.transaction { db in
                try await service.start(cartKey: key, .init(customer: Self.customer, provider: .test), on: db)
            }
            let payments = CheckoutPayments(database: database, gateways: PaymentGateways())
            let logger = Logger(label: "test")
            #expect(try await payments.reportTestPayment(checkoutId: checkout.id, accessToken: "ot_guess", failed: false, logger: logger) == nil)
            let failed = try #require(try await payments.reportTestPayment(checkoutId: checkout.id, accessToken: token, failed: true, logger: logger))
            #expect(failed.outcome == .failureRecorded && failed.checkout?.status == .pending && failed.order == nil)
            let paid = try #require(try await payments.reportTestPayment(checkoutId: checkout.id, accessToken: token, failed: false, logger: logger))
            #expect(paid.outcome == .orderCreated && paid.checkout?.status == .paid)
            let order = try #require(paid.order)
            #expect(paid.checkout?.orderId == order.id && order.paymentRef == checkout.providerRef)
            let again = try #require(try await payments.reportTestPayment(checkoutId: checkout.id, accessToken: token, failed: false, logger: logger))
            #expect(again.outcome == .alreadyPaid && again.order?.id == order.id)
            let stored = try await database.withConnection { db in try await CheckoutStore().find(id: checkout.id, on: db) }
            #expect(stored == paid.checkout)
            let orders = try await database.withConnection { db in try await db.select().column("id").from("orders").all().count }
            #expect(orders == 1)
        }
    }

    @Test func aPaidCheckoutBecomesOneOrderAndEveryRepeatChangesNothing() async throws {
        try await TestDatabase.with { database in
            let product = try await seed(database)
            let key = try await cart(database, product, quantity: 2)
            let (checkout, token) = try await database.transaction { db in
                try await service.start(cartKey: key, .init(customer: Self.customer, provider: .test), on: db)
            }
            #expect(checkout.total == 2 * 2000 + 400)
            #expect(token.hasPrefix("ot_"))
            // The test provider is a gateway that settles locally: the checkout is written with its payment.
            #expect(checkout.providerRef == TestPaymentGateway.reference(checkoutId: checkout.id) && !checkout.awaitsProviderPayment)
            #expect(try await stock(database, product) == (10, 2))

            let processor = PaymentProcessor()
            let event = succeeded(checkout, id: "evt_1")
            let (outcome, order) = try await database.transaction { db in try await processor.apply(event, on: db) }
            #expect(outcome == .orderCreated)
            let created = try #require(order)
            #expect(created.status == .paid && created.total == checkout.total && created.number.hasPrefix("AT-"))
            #expect(try await stock(database, product) == (8, 0))
            // The same event again, another success, a late failure: nothing happens twice, nothing goes back.
            #expect(try await database.transaction { db in try await processor.apply(event, on: db) }.0 == .duplicate)
            #expect(try await database.transaction { db in try await processor.apply(succeeded(checkout, id: "evt_2"), on: db) }.0 == .alreadyPaid)
            var late = succeeded(checkout, id: "evt_3")
            late.kind = .failed
            let failed = late
            #expect(try await database.transaction { db in try await processor.apply(failed, on: db) }.0 == .ignored)
            let orders = try await database.withConnection { db in try await db.select().column("id").from("orders").all().count }
            #expect(orders == 1)
            #expect(try await stock(database, product) == (8, 0))

            let events = try await database.withConnection { db in try await Outbox.events(aggregateId: created.id, on: db) }
            #expect(events.map(\.type) == ["order.created", "payment.succeeded"])
            // The order opens with the checkout's token only; the cart is empty now.
            #expect(try await database.withConnection { db in try await OrderStore().find(id: created.id, accessToken: token, on: db) } != nil)
            #expect(try await database.withConnection { db in try await OrderStore().find(id: created.id, accessToken: "ot_guess", on: db) } == nil)
            #expect(try await database.withConnection { db in try await carts.find(key: key, on: db) }?.lines.isEmpty == true)
        }
    }

    @Test func wrongAmountsAndLatePaymentsAreFlaggedNotOrdered() async throws {
        try await TestDatabase.with { database in
            let product = try await seed(database)
            let first = try await openCheckout(database, product)
            let processor = PaymentProcessor()
            #expect(try await database.transaction { db in try await processor.apply(succeeded(first, amount: first.total - 1), on: db) }.0 == .amountMismatch)

            // A checkout that expires gives its stock back; a payment arriving after that makes no order.
            let later = CheckoutExpiry(clock: .fixed(Date().addingTimeInterval(3600)))
            #expect(try await stock(database, product).reserved == 1)
            #expect(try await database.transaction { db in try await later.expireOverdue(on: db) } == 1)
            #expect(try await stock(database, product) == (10, 0))
            #expect(try await database.transaction { db in try await processor.apply(succeeded(first), on: db) }.0 == .latePayment)
            let orders = try await database.withConnection { db in try await db.select().column("id").from("orders").all().count }
            #expect(orders == 0)
            let flagged = try await database.withConnection { db in try await Outbox.events(aggregateId: first.id, on: db) }.map(\.type)
            #expect(flagged.sorted() == ["checkout.expired", "payment.requires_attention", "payment.requires_attention"])
        }
    }

    @Test func aNewCheckoutOfTheSameCartCancelsTheEarlierOneSoOneCartMakesOneOrder() async throws {
        try await TestDatabase.with { database in
            let product = try await seed(database, stock: 10)
            let key = try await cart(database, product)
            let service = self.service
            let (first, _) = try await database.transaction { db in
                try await service.start(cartKey: key, .init(customer: Self.customer, provider: .test), on: db)
            }
            let (second, _) = try await database.transaction { db in
                try await service.start(cartKey: key, .init(customer: Self.customer, provider: .test), on: db)
            }
            let (earlier, later) = try await database.withConnection { db in
                (try await CheckoutStore().find(id: first.id, on: db), try await CheckoutStore().find(id: second.id, on: db))
            }
            #expect(earlier?.status == .cancelled)
            #expect(later?.status == .pending)
            // Only the open checkout holds stock; money for the cancelled one makes no order.
            #expect(try await stock(database, product).1 == first.snapshot.lines.reduce(0) { $0 + $1.quantity })
            let processor = PaymentProcessor()
            let late = try await database.transaction { db in
                try await processor.apply(PaymentEvent(provider: .test, eventId: "late-1", kind: .succeeded, checkoutId: first.id, providerRef: nil,
                                                       amount: first.total, currency: first.currency, payload: "{}"), on: db)
            }
            #expect(late.0 == .latePayment)
        }
    }

    @Test func concurrentCheckoutsNeverOversell() async throws {
        try await TestDatabase.with { database in
            let product = try await seed(database, stock: 10)
            var keys: [String] = []
            for _ in 0..<200 { keys.append(try await cart(database, product)) }
            let service = self.service
            let outcomes = await withTaskGroup(of: String.self) { group in
                for key in keys {
                    group.addTask {
                        do {
                            _ = try await database.transaction { db in
                                try await service.start(cartKey: key, .init(customer: Self.customer, provider: .test), on: db)
                            }
                            return "ok"
                        } catch let error as AtelierError {
                            return error.code.rawValue
                        } catch {
                            return "\(error)"
                        }
                    }
                }
                var all: [String] = []
                for await outcome in group { all.append(outcome) }
                return all
            }
            #expect(outcomes.filter { $0 == "ok" }.count == 10)
            // Refused either by the cart's review (stock already held: `cart_not_ready`) or, racing past it, by
            // the conditional reservation itself (`insufficient_stock`).
            #expect(outcomes.filter { $0 == "insufficient_stock" || $0 == "cart_not_ready" }.count == 190, "\(Set(outcomes))")
            #expect(try await stock(database, product) == (10, 10))
            let reservations = try await database.withConnection { db in
                try await db.raw("SELECT COALESCE(SUM(quantity), 0) AS n FROM reservations").first(decodingColumn: "n", as: Int.self)
            }
            #expect(reservations == 10)
        }
    }

    @Test func fiftyDeliveriesOfOnePaymentMakeOneOrder() async throws {
        try await TestDatabase.with { database in
            let product = try await seed(database)
            let checkout = try await openCheckout(database, product)
            let processor = PaymentProcessor()
            // 50 deliveries of the same event and 10 other events for the same payment, all at once.
            let events = Array(repeating: succeeded(checkout, id: "evt_same"), count: 50) + (0..<10).map { succeeded(checkout, id: "evt_other_\($0)") }
            let outcomes = try await withThrowingTaskGroup(of: PaymentOutcome.self) { group in
                for event in events { group.addTask { try await database.transaction { db in try await processor.apply(event, on: db) }.0 } }
                var all: [PaymentOutcome] = []
                for try await outcome in group { all.append(outcome) }
                return all
            }
            #expect(outcomes.filter { $0 == .orderCreated }.count == 1)
            #expect(outcomes.filter { $0 == .duplicate }.count == 49)
            #expect(outcomes.filter { $0 == .alreadyPaid }.count == 10)
            let orders = try await database.withConnection { db in try await db.select().column("id").from("orders").all().count }
            #expect(orders == 1)
            #expect(try await stock(database, product) == (9, 0))
        }
    }

    @Test func theStateMachineChecksEveryStepAndKeepsAnAppendOnlyTrail() async throws {
        try await TestDatabase.with { database in
            let product = try await seed(database)
            let checkout = try await openCheckout(database, product)
            let order = try #require(try await database.transaction { db in try await PaymentProcessor().apply(succeeded(checkout), on: db) }.1)
            let store = OrderStore()
            let ops = Actor(.apiKey, "key_ops")
            func move(_ request: OrderTransitionRequest) async throws -> Order {
                try await database.transaction { db in try await store.transition(id: order.id, request, actor: ops, on: db) }
            }
            func code(_ request: OrderTransitionRequest) async -> String? {
                do { _ = try await move(request); return nil } catch { return (error as? AtelierError)?.code.rawValue ?? "\(error)" }
            }
            #expect(await code(.init(to: .shipped)) == "illegal_transition")
            #expect(await code(.init(to: .delivered)) == "illegal_transition")
            #expect(try await move(.init(to: .inProduction)).status == .inProduction)
            #expect(try await move(.init(to: .fulfilled)).status == .fulfilled)
            #expect(await code(.init(to: .cancelled, reason: "too late")) == "illegal_transition")
            #expect(await code(.init(to: .shipped)) == "validation_failed")  // tracking required
            let shipped = try await move(.init(to: .shipped, tracking: .init(carrier: "DHL", number: "JD0001", url: "https://dhl.example/JD0001")))
            #expect(shipped.tracking?.number == "JD0001")
            #expect(await code(.init(to: .delivered)) == "validation_failed")  // time required
            let delivered = try await move(.init(to: .delivered, deliveredAt: Date(timeIntervalSince1970: 1_900_000_000)))
            #expect(delivered.status == .delivered)
            #expect(await code(.init(to: .paid)) == "illegal_transition")

            let trail = try await database.withConnection { db in try await store.transitions(orderId: order.id, on: db) }
            #expect(trail.map(\.to) == [.paid, .inProduction, .fulfilled, .shipped, .delivered])
            #expect(trail.first?.actor == Actor(.paymentProvider, "test"))
            #expect(trail.dropFirst().allSatisfy { $0.actor == ops })
            #expect(trail[3].details["trackingNumber"] == "JD0001")
            // The database itself refuses to change or remove the trail.
            await #expect(throws: (any Error).self) {
                try await database.withConnection { db in try await db.raw("UPDATE order_transitions SET reason = 'x'").run() }
            }
            await #expect(throws: (any Error).self) {
                try await database.withConnection { db in try await db.raw("DELETE FROM order_transitions").run() }
            }
            #expect(try await database.withConnection { db in try await store.transitions(orderId: order.id, on: db) }.count == 5)
        }
    }

    @Test func cancellingAPaidOrderNeedsAReasonAndRefunds() async throws {
        try await TestDatabase.with { database in
            let product = try await seed(database)
            let checkout = try await openCheckout(database, product)
            let order = try #require(try await database.transaction { db in try await PaymentProcessor().apply(succeeded(checkout), on: db) }.1)
            let store = OrderStore()
            await #expect(throws: AtelierError.self) {
                try await database.transaction { db in try await store.transition(id: order.id, .init(to: .cancelled), actor: Actor(.system), on: db) }
            }
            let cancelled = try await database.transaction { db in
                try await store.transition(id: order.id, .init(to: .cancelled, reason: "customer asked"), actor: Actor(.system),
                                           refunds: Refunds(gateways: PaymentGateways()), on: db)
            }
            #expect(cancelled.status == .cancelled && cancelled.refunded == order.total)
        }
    }

    @Test func ordersListNewestFirstInKeysetPagesWithFilters() async throws {
        try await TestDatabase.with { database in
            let product = try await seed(database, stock: 10)
            var ids: [String] = []
            for second in 0..<3 {
                let checkout = try await openCheckout(database, product)
                let processor = PaymentProcessor(clock: .fixed(Date(timeIntervalSince1970: 1_800_000_000 + Double(second))))
                let order = try await database.transaction { db in try await processor.apply(succeeded(checkout), on: db) }.1
                ids.append(try #require(order).id)
            }
            let store = OrderStore()
            let email = cipher.lookupHash(email: Self.customer.email)
            func page(_ filter: OrderStore.ListFilter, after: String? = nil) async throws -> Page<OrderSummary> {
                try await database.withConnection { db in try await store.list(filter, page: PageRequest(limit: 2, after: after), on: db) }
            }
            let first = try await page(.init(emailHash: email))
            #expect(first.items.map(\.id) == [ids[2], ids[1]])
            let cursor = try #require(first.nextCursor)
            let after = try PageRequest(limit: 2, cursor: cursor).after
            let second = try await page(.init(emailHash: email), after: after)
            #expect(second.items.map(\.id) == [ids[0]])
            #expect(second.nextCursor == nil)
            #expect(try await page(.init(productId: product.id)).items.count == 2)
            #expect(try await page(.init(productId: "prod_other")).items.isEmpty)
            #expect(try await page(.init(status: .shipped)).items.isEmpty)
            #expect(try await page(.init(from: Date(timeIntervalSince1970: 1_800_000_001))).items.map(\.id) == [ids[2], ids[1]])
            #expect(try await page(.init(to: Date(timeIntervalSince1970: 1_800_000_001))).items.map(\.id) == [ids[0]])
            #expect(try await page(.init(emailHash: cipher.lookupHash(email: "someone@else.com"))).items.isEmpty)
        }
    }

    @Test func ordersListSoonestShipDateFirstInKeysetPages() async throws {
        try await TestDatabase.with { database in
            let product = try await seed(database, stock: 10)
            var ids: [String] = []
            for second in 0..<4 {
                let checkout = try await openCheckout(database, product)
                let processor = PaymentProcessor(clock: .fixed(Date(timeIntervalSince1970: 1_800_000_000 + Double(second))))
                let order = try await database.transaction { db in try await processor.apply(succeeded(checkout), on: db) }.1
                ids.append(try #require(order).id)
            }
            // Ship dates out of the order of creation: the third order ships first, the first last.
            let dates = ["2027-03-04", "2027-03-02", "2027-03-01", "2027-03-02"]
            let made = ids
            try await database.transaction { db in
                for (id, date) in zip(made, dates) {
                    try await db.raw("UPDATE orders SET expected_ship_date = \(bind: date) WHERE id = \(bind: id)").run()
                }
            }
            let store = OrderStore()
            var dueFirst = OrderStore.ListFilter()
            dueFirst.sort = .dueFirst
            let filter = dueFirst
            var seen: [String] = []
            var after: String?
            for _ in 0..<5 {
                let request = PageRequest(limit: 1, after: after)
                let page = try await database.withConnection { db in try await store.list(filter, page: request, on: db) }
                seen += page.items.map(\.id)
                guard let cursor = page.nextCursor else { break }
                after = try PageRequest(limit: 1, cursor: cursor).after
            }
            // Soonest first; a tie goes by creation.
            #expect(seen == [ids[2], ids[1], ids[3], ids[0]])
        }
    }

    @Test func keysComeFromTheEnvironmentOrAFileMadeOnce() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("atelier-keys-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var configuration = AtelierConfiguration()
        configuration.server.dataDirectory = folder.path
        let first = try PersonalDataKeys.load(configuration)
        let file = folder.appendingPathComponent("keys.json").path
        let permissions = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
        #expect(permissions == 0o600)
        // A second start reads the same keys: what the first sealed, it opens.
        let second = try PersonalDataKeys.load(configuration)
        #expect(try second.open(try first.seal("Ada")) == "Ada")
        #expect(second.lookupHash(email: "a@b.co") == first.lookupHash(email: "a@b.co"))

        let key = Data(repeating: 7, count: 32).base64EncodedString()
        let loaded = try AtelierConfiguration.load(environment: ["ATELIER_DATA_KEYS": "k2:\(key),k1:\(key)", "ATELIER_LOOKUP_KEY": key])
        #expect(loaded.privacy.personalDataKeys?.keys.map(\.id) == ["k2", "k1"])
        // Bad key material is reported without being echoed.
        for environment in [["ATELIER_DATA_KEYS": "k1:c2hvcnQ=", "ATELIER_LOOKUP_KEY": key], ["ATELIER_DATA_KEYS": "k1:\(key)"]] {
            #expect(throws: ConfigurationError.self) { try AtelierConfiguration.load(environment: environment) }
            do {
                _ = try AtelierConfiguration.load(environment: environment)
            } catch {
                #expect(!error.description.contains("c2hvcnQ") && !error.description.contains(key))
            }
        }
    }

    @Test func personalDataIsSealedAndKeysRotate() throws {
        let old = PersonalDataCipher.random(keyId: "k1")
        let sealed = try old.seal("Ada Lovelace")
        #expect(sealed.hasPrefix("v1.k1.") && !sealed.contains("Ada"))
        #expect(try old.open(sealed) == "Ada Lovelace")
        // A new key seals; the old one still opens what it sealed.
        let rotated = PersonalDataCipher(keys: [.init(id: "k2", key: SymmetricKey(size: .bits256)), old.keys[0]], lookupKey: old.lookupKey)
        #expect(try rotated.seal("x").hasPrefix("v1.k2."))
        #expect(try rotated.open(sealed) == "Ada Lovelace")
        #expect(rotated.lookupHash(email: " ADA@example.com") == old.lookupHash(email: "ada@example.com"))
        // Tampering, a foreign key id and garbage are refused.
        var bytes = Array(sealed)
        bytes[bytes.count - 3] = bytes[bytes.count - 3] == "A" ? "B" : "A"
        #expect(throws: PersonalDataCipher.Failure.authenticationFailed) { try old.open(String(bytes)) }
        #expect(throws: PersonalDataCipher.Failure.unknownKey("k9")) { try old.open("v1.k9.AAAA") }
        #expect(throws: PersonalDataCipher.Failure.malformed) { try old.open("plain text") }
        // A value sealed under one key id cannot be relabelled as another's.
        let relabelled = sealed.replacingOccurrences(of: "v1.k1.", with: "v1.k2.")
        let both = PersonalDataCipher(keys: [.init(id: "k2", key: old.keys[0].key), old.keys[0]], lookupKey: old.lookupKey)
        #expect(throws: PersonalDataCipher.Failure.authenticationFailed) { try both.open(relabelled) }
    }

    @Test func noPlaintextEmailNameOrAddressReachesTheDatabase() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("atelier-pii-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let setting: DatabaseSetting
        var cleanup: @Sendable () async throws -> Void = {}
        if TestDatabase.isPostgres {
            (setting, cleanup) = try await TestDatabase.makeSetting()
        } else {
            setting = .sqlite(.file(path: folder.appendingPathComponent("shop.sqlite").path), poolSize: 2)
        }
        let database = try await DatabaseFactory.make(setting, logger: TestDatabase.logger)
        try await database.withRunning {
            try await Migrator().migrate(database, logger: TestDatabase.logger)
            let product = try await seed(database)
            let checkout = try await openCheckout(database, product)
            _ = try await database.transaction { db in try await PaymentProcessor().apply(succeeded(checkout), on: db) }
            // Every value of every row of every table, as text: what a dump holds.
            let dump = try await database.withConnection { db in try await Self.dumpAllRows(db) }
            #expect(dump.contains(checkout.id))  // the dump does see the data
            for secret in ["Ada.Lovelace@example.com", "ada.lovelace@example.com", "Lovelace", "Marylebone", "7946"] {
                #expect(!dump.lowercased().contains(secret.lowercased()), "\(secret) is in the database")
            }
        }
        try await cleanup()
        if !TestDatabase.isPostgres {
            // And the file itself (with its write-ahead log), byte for byte.
            for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
                let bytes = try Data(contentsOf: folder.appendingPathComponent(name))
                for secret in ["Lovelace", "lovelace@example", "Marylebone"] {
                    #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(secret) is in \(name)")
                }
            }
        }
    }

    static func dumpAllRows(_ db: any SQLDatabase) async throws -> String { try await DatabaseDump.text(db) }
}

@Suite struct IdempotencySealingTests {
    @Test func storedAnswersAreSealedAndReplayedAsTheyWere() async throws {
        try await TestDatabase.with { database in
            let cipher = PersonalDataCipher.random()
            let store = IdempotencyStore(cipher: cipher)
            let answer = #"{"accessToken":"cat_secret-token","clientSecret":"pi_1_secret_2"}"#
            let claim = try await database.transaction { db in
                try await store.claim(scope: "checkout", key: "k1", requestHash: "h", on: db)
            }
            #expect(claim == .new)
            try await database.transaction { db in
                try await store.complete(scope: "checkout", key: "k1", status: 201, body: answer, subject: "chk_1", on: db)
            }
            let stored = try await database.withConnection { db in
                try await db.raw("SELECT response, subject FROM idempotency_keys WHERE key = 'k1'").first()
            }
            let response = try #require(try stored?.decode(column: "response", as: String.self))
            #expect(!response.contains("secret"))
            #expect(try stored?.decode(column: "subject", as: String.self) == "chk_1")
            let replay = try await database.transaction { db in
                try await store.claim(scope: "checkout", key: "k1", requestHash: "h", on: db)
            }
            #expect(replay == .replay(status: 201, body: answer))
        }
    }
}
