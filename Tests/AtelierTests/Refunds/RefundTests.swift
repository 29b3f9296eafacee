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
import PropertyBased
import SQLKit
import Testing

/// Refunds decided in the transaction that needs them and made by their job through a recording provider, on SQLite,
/// or on PostgreSQL with ATELIER_TEST_POSTGRES_URL.
@Suite struct RefundTests {
    let checkouts = CheckoutTests()
    static let staff = Actor(.apiKey, "key_ops")

    // MARK: setup

    func refunds(_ gateway: RecordingGateway, _ clock: MovableClock) -> Refunds {
        Refunds(gateways: PaymentGateways([.stripe: gateway]), clock: clock.wall)
    }

    /// A worker that runs refund jobs only, as `serve` or `atelier worker` would.
    func worker(_ database: any DatabaseClient, _ gateway: RecordingGateway, _ clock: MovableClock) -> JobWorker {
        JobWorker(database: database, handlers: [RefundJobs.handler(database: database, refunds: refunds(gateway, clock))],
                  clock: clock.wall, logger: TestDatabase.logger)
    }

    /// Runs refund jobs until none is left, moving the clock past each retry's backoff; answers how many ran.
    @discardableResult
    func runJobs(_ worker: JobWorker, _ database: any DatabaseClient, _ clock: MovableClock, limit: Int = 100) async throws -> Int {
        var runs = 0
        while runs < limit {
            if try await worker.runOne() {
                runs += 1
                continue
            }
            let waiting = try await database.withConnection { db in
                try await db.raw("SELECT COUNT(*) AS n FROM jobs WHERE kind = \(bind: RefundJobs.kind) AND state IN ('queued', 'running')")
                    .first(decodingColumn: "n", as: Int.self) ?? 0
            }
            guard waiting > 0 else { break }
            clock.advance(by: 2 * 3600)
        }
        return runs
    }

    /// A pending Stripe checkout of one large mug (2400 with shipping) whose PaymentIntent is `ref`.
    func stripeCheckout(_ database: any DatabaseClient, _ product: Product, ref: String) async throws -> Checkout {
        let key = try await checkouts.cart(database, product)
        let service = CheckoutService(carts: checkouts.carts, pricing: CartPricing(currency: "USD", taxMode: .exclusive, calendar: .init()),
                                      cipher: checkouts.cipher, providers: [.stripe])
        return try await database.transaction { db in
            let (checkout, _) = try await service.start(cartKey: key, .init(customer: CheckoutTests.customer, provider: .stripe), on: db)
            try await CheckoutStore().attachPayment(checkoutId: checkout.id, providerRef: ref, clientSecret: nil, approvalURL: nil, at: Date(), on: db)
            return checkout
        }
    }

    /// An order paid through Stripe, as its webhook pays it.
    func stripeOrder(_ database: any DatabaseClient, _ product: Product) async throws -> Order {
        let ref = "pi_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let checkout = try await stripeCheckout(database, product, ref: ref)
        let event = PaymentEvent(provider: .stripe, eventId: "evt_" + ref, kind: .succeeded, checkoutId: checkout.id, providerRef: ref,
                                 amount: checkout.total, currency: checkout.currency, payload: "{}")
        let order = try #require(try await database.transaction { db in try await PaymentProcessor().apply(event, on: db) }.1)
        #expect(order.paymentRef == ref && order.total == 2400)
        return order
    }

    func order(_ id: String, _ database: any DatabaseClient) async throws -> Order {
        try #require(try await database.withConnection { db in try await OrderStore().find(id: id, on: db) })
    }

    func refunds(of orderId: String, _ database: any DatabaseClient) async throws -> [Refund] {
        try await database.withConnection { db in try await RefundStore().list(orderId: orderId, on: db) }
    }

    func refund(_ id: String, _ database: any DatabaseClient) async throws -> Refund {
        try #require(try await database.withConnection { db in try await RefundStore().find(id: id, on: db) })
    }

    func sum(_ sql: SQLQueryString, _ database: any DatabaseClient) async throws -> Int64 {
        try await database.withConnection { db in try await db.raw(sql).first(decodingColumn: "n", as: Int64.self) } ?? 0
    }

    // MARK: the job

    @Test func aRefundRetriedUntilItSucceedsIsMadeOnceWithOneKey() async throws {
        try await TestDatabase.with { database in
            let product = try await checkouts.seed(database)
            let order = try await stripeOrder(database, product)
            let (gateway, clock) = (RecordingGateway(script: [.fail(transient: true), .fail(transient: true), .succeed]), MovableClock())
            let refunds = refunds(gateway, clock)
            let (after, decided) = try await database.transaction { db in
                try await refunds.refund(orderId: order.id, .init(amount: 500, reason: "scratched"), actor: Self.staff, on: db)
            }
            // Decided and counted; no provider asked yet.
            #expect(decided.status == .pending && after.refunded == 500)
            #expect(gateway.calls.isEmpty)

            let worker = worker(database, gateway, clock)
            #expect(try await worker.runOne())
            let retried = try await refund(decided.id, database)
            #expect(retried.status == .pending && retried.attempts == 1 && retried.lastError?.contains("unavailable") == true)
            #expect(try await worker.runOne() == false)  // backing off until the retry is due
            try await runJobs(worker, database, clock)

            let made = try await refund(decided.id, database)
            #expect(made.status == .succeeded && made.providerAmount == 500 && made.attempts == 3 && made.completedAt != nil)
            #expect(gateway.calls.count == 3)
            #expect(Set(gateway.calls.map(\.idempotencyKey)) == [decided.idempotencyKey])
            #expect(gateway.calls.allSatisfy { $0.paymentRef == order.paymentRef && $0.amount == 500 && $0.currency == "USD" })
            #expect(gateway.refundsMade.count == 1)
            #expect(try await worker.runOne() == false)
            #expect(try await self.order(order.id, database).refunded == 500)
        }
    }

    @Test func aTimeoutAfterTheProviderRefundedEndsWithTheOneRefundItMade() async throws {
        try await TestDatabase.with { database in
            let product = try await checkouts.seed(database)
            let order = try await stripeOrder(database, product)
            let (gateway, clock) = (RecordingGateway(script: [.succeedThenTimeOut]), MovableClock())
            let refunds = refunds(gateway, clock)
            let cancelled = try await database.transaction { db in
                try await OrderStore().transition(id: order.id, .init(to: .cancelled, reason: "out of stock"), actor: Self.staff,
                                                  refunds: refunds, on: db)
            }
            #expect(cancelled.status == .cancelled && cancelled.refunded == order.total)
            let decided = try #require(try await self.refunds(of: order.id, database).first)
            #expect(decided.kind == .cancellation && decided.status == .pending && decided.amount == order.total)
            #expect(decided.idempotencyKey == "atelier-refund-\(order.id)")

            #expect(try await runJobs(worker(database, gateway, clock), database, clock) == 2)
            // Asked twice with one key; the provider made one refund, and the second answer was that refund.
            #expect(gateway.calls.map(\.idempotencyKey) == [decided.idempotencyKey, decided.idempotencyKey])
            #expect(gateway.refundsMade.count == 1 && gateway.refundsMade.values.first?.amount == order.total)
            let all = try await self.refunds(of: order.id, database)
            #expect(all.count == 1 && all.first?.status == .succeeded && all.first?.providerAmount == order.total)
            let trail = try await database.withConnection { db in try await OrderStore().transitions(orderId: order.id, on: db) }
            #expect(trail.last?.to == .cancelled && trail.last?.details["refund"] == decided.id && trail.last?.details["refunded"] == "2400")
        }
    }

    @Test func aRefusedRefundIsFailedVisiblyAndItsMoneyIsLeftToRefund() async throws {
        try await TestDatabase.with { database in
            let product = try await checkouts.seed(database)
            let order = try await stripeOrder(database, product)
            let (gateway, clock) = (RecordingGateway(script: [.succeed, .fail(transient: false)]), MovableClock())
            let refunds = refunds(gateway, clock)
            for amount: Int64 in [200, 1000] {
                _ = try await database.transaction { db in
                    try await refunds.refund(orderId: order.id, .init(amount: amount, reason: "damaged"), actor: Self.staff, on: db)
                }
                clock.advance(by: 1)  // the jobs run in the order the refunds were decided
            }
            #expect(try await self.order(order.id, database).refunded == 1200)
            #expect(try await runJobs(worker(database, gateway, clock), database, clock) == 2)

            let decided = try await self.refunds(of: order.id, database)
            #expect(decided.map(\.status) == [.succeeded, .failed])
            let failed = try #require(decided.last)
            #expect(failed.lastError?.contains("charge_disputed") == true && failed.attempts == 1 && failed.completedAt != nil)
            // The money did not go back: not counted any more, in the order nor in the reports, and it may be refunded again.
            #expect(try await self.order(order.id, database).refunded == 200)
            #expect(try await sum("SELECT CAST(COALESCE(SUM(refunded), 0) AS BIGINT) AS n FROM report_entries", database) == 200)
            #expect(try await database.withConnection { db in try await RefundStore().counts(on: db) } == [.succeeded: 1, .failed: 1])
            let trail = try await database.withConnection { db in try await OrderStore().transitions(orderId: order.id, on: db) }
            let last = try #require(trail.last)
            #expect(last.from == .paid && last.to == .paid && last.actor == Actor(.paymentProvider, "stripe"))
            #expect(last.details["refund"] == failed.id && last.details["refundFailed"] == "1000" && last.details["error"] == "charge_disputed")
            // The shopper sees the refund that was made, not the one that failed.
            let timeline = OrderTimeline(transitions: trail, tracking: nil)
            #expect(timeline.entries.map(\.event) == [.paid, .refunded] && timeline.entries.last?.amount == 200)
            let again = try await database.transaction { db in
                try await refunds.refund(orderId: order.id, .init(amount: 2200, reason: "damaged, again"), actor: Self.staff, on: db)
            }
            #expect(again.order.refunded == 2400 && again.refund.status == .pending)
        }
    }

    @Test func aProviderThatNeverAnswersLeavesTheRefundFailedAfterTheLastAttempt() async throws {
        try await TestDatabase.with { database in
            let product = try await checkouts.seed(database)
            let order = try await stripeOrder(database, product)
            let attempts = Refunds.retryPolicy.maxAttempts
            let (gateway, clock) = (RecordingGateway(script: Array(repeating: .fail(transient: true), count: attempts)), MovableClock())
            let decided = try await database.transaction { db in
                try await refunds(gateway, clock).refund(orderId: order.id, .init(amount: 700, reason: "late"), actor: Self.staff, on: db).refund
            }
            #expect(try await runJobs(worker(database, gateway, clock), database, clock) == attempts)
            let failed = try await refund(decided.id, database)
            #expect(failed.status == .failed && failed.attempts == attempts && failed.lastError?.contains("unavailable") == true)
            #expect(gateway.calls.count == attempts && Set(gateway.calls.map(\.idempotencyKey)).count == 1)
            #expect(try await self.order(order.id, database).refunded == 0)
            // The job ended normally: the failure is the refund's, for staff, not a dead job.
            let states = try await database.withConnection { db in
                try await db.raw("SELECT state FROM jobs WHERE kind = \(bind: RefundJobs.kind)").all(decodingColumn: "state", as: String.self)
            }
            #expect(states == ["succeeded"])
        }
    }

    @Test func aProcessKilledBetweenDecisionAndCallOrBeforeRecordingTheAnswerRefundsOnce() async throws {
        try await TestDatabase.with { database in
            let product = try await checkouts.seed(database)
            let order = try await stripeOrder(database, product)
            let (gateway, clock) = (RecordingGateway(), MovableClock())
            // Decided and committed; the process dies before any worker ran.
            let first = try await database.transaction { db in
                try await refunds(gateway, clock).refund(orderId: order.id, .init(amount: 400, reason: "dent"), actor: Self.staff, on: db).refund
            }
            #expect(gateway.calls.isEmpty)
            // A new process: its own worker finds the job in the database.
            let restarted = worker(database, gateway, clock)
            #expect(try await restarted.runOne())
            #expect(try await refund(first.id, database).status == .succeeded)

            // Killed after the provider refunded, before the answer was recorded: the job's lease runs out, another worker
            // takes it over and asks again with the same key.
            let second = try await database.transaction { db in
                try await refunds(gateway, clock).refund(orderId: order.id, .init(amount: 300, reason: "scratch"), actor: Self.staff, on: db).refund
            }
            let queue = JobQueue(backend: database.backend, clock: clock.wall)
            let claimed = try await database.transaction { db in
                try await queue.claim(kinds: [RefundJobs.kind], worker: "wrk_killed", lease: 60, on: db)
            }
            #expect(claimed != nil)
            _ = try await gateway.refund(RefundRequest(paymentRef: try #require(order.paymentRef), amount: 300, currency: "USD",
                                                       idempotencyKey: second.idempotencyKey))
            #expect(try await restarted.runOne() == false)  // still leased to the dead worker
            clock.advance(by: 61)
            #expect(try await restarted.runOne())
            let made = try await refund(second.id, database)
            #expect(made.status == .succeeded && made.providerAmount == 300)
            #expect(gateway.refundsMade.count == 2)
            #expect(gateway.calls.filter { $0.idempotencyKey == second.idempotencyKey }.count == 2)
            #expect(try await self.order(order.id, database).refunded == 700)
        }
    }

    // MARK: deciding

    @Test func theTestProviderAndRefundsMadeOutsideSucceedAtOnceWithoutAJob() async throws {
        try await TestDatabase.with { database in
            let product = try await checkouts.seed(database)
            let checkout = try await checkouts.openCheckout(database, product)
            let paid = try #require(try await database.transaction { db in try await PaymentProcessor().apply(checkouts.succeeded(checkout), on: db) }.1)
            let none = Refunds(gateways: PaymentGateways())
            let immediate = try await database.transaction { db in
                try await none.refund(orderId: paid.id, .init(amount: 100, reason: "goodwill"), actor: Self.staff, on: db).refund
            }
            #expect(immediate.status == .succeeded && immediate.providerAmount == 100 && immediate.completedAt != nil && !immediate.outside)

            // Stripe is not configured here: refusing at decision time, or recorded as made in Stripe's dashboard.
            let stripe = try await stripeOrder(database, product)
            func code(_ body: @escaping @Sendable (any SQLDatabase) async throws -> Void) async -> String? {
                do { try await database.transaction(body); return nil } catch { return (error as? AtelierError)?.code.rawValue ?? "\(error)" }
            }
            let refused = await code { db in
                _ = try await none.refund(orderId: stripe.id, .init(amount: 100, reason: "x"), actor: Self.staff, on: db)
            }
            #expect(refused == "refund_unavailable")
            let notCancelled = await code { db in
                _ = try await OrderStore().transition(id: stripe.id, .init(to: .cancelled, reason: "x"), actor: Self.staff, refunds: none, on: db)
            }
            #expect(notCancelled == "refund_unavailable")
            #expect(try await self.order(stripe.id, database).status == .paid)
            let outside = try await database.transaction { db in
                try await none.refund(orderId: stripe.id, .init(amount: 100, reason: "refunded by phone", outside: true), actor: Self.staff, on: db).refund
            }
            #expect(outside.status == .succeeded && outside.outside && outside.providerAmount == nil)
            let cancelled = try await database.transaction { db in
                try await OrderStore().transition(id: stripe.id, .init(to: .cancelled, reason: "x", refundedOutside: true), actor: Self.staff,
                                                  refunds: none, on: db)
            }
            #expect(cancelled.refunded == cancelled.total)
            #expect(try await self.refunds(of: stripe.id, database).map(\.outside) == [true, true])
            let jobs = try await database.withConnection { db in
                try await db.raw("SELECT COUNT(*) AS n FROM jobs WHERE kind = \(bind: RefundJobs.kind)").first(decodingColumn: "n", as: Int.self)
            }
            #expect(jobs == 0)
        }
    }

    @Test func partialRefundsAreCheckedAgainstTheOrderAndItsLines() async throws {
        try await TestDatabase.with { database in
            let product = try await checkouts.seed(database)
            let order = try await stripeOrder(database, product)
            let refunds = refunds(RecordingGateway(), MovableClock())
            func problems(_ request: Refunds.PartialRequest) async -> [String] {
                do {
                    _ = try await database.transaction { db in try await refunds.refund(orderId: order.id, request, actor: Self.staff, on: db) }
                    return []
                } catch let error as AtelierError {
                    return error.errors.isEmpty ? [error.code.rawValue] : error.errors.map { "\($0.pointer) \($0.code)" }
                } catch {
                    return ["\(error)"]
                }
            }
            #expect(await problems(.init(amount: 0, reason: " ")) == ["/amount not_positive", "/reason required"])
            #expect(await problems(.init(amount: 10, reason: "a\u{0}b")) == ["/reason invalid_characters"])
            #expect(await problems(.init(amount: 10, reason: "x", lines: [.init(index: -1, quantity: 0), .init(index: 0, quantity: 1),
                                                                             .init(index: 0, quantity: 1)]))
                == ["/lines/0/index out_of_range", "/lines/0/quantity out_of_range", "/lines/2/index duplicate"])
            #expect(await problems(.init(amount: 10, reason: "x", lines: [.init(index: 1, quantity: 1)])) == ["/lines/0/index unknown_line"])
            #expect(await problems(.init(amount: 10, reason: "x", lines: [.init(index: 0, quantity: 2)])) == ["/lines/0/quantity too_many"])
            #expect(await problems(.init(amount: 2401, reason: "x")) == ["refund_exceeds_remaining"])
            #expect(await problems(.init(amount: 10, reason: "lid", lines: [.init(index: 0, quantity: 1)])) == [])
            #expect(try await self.refunds(of: order.id, database).map(\.lines) == [[Refund.Line(index: 0, quantity: 1)]])
            await #expect(throws: AtelierError.notFound("Order 'ord_00000000000000000000000000'")) {
                try await database.transaction { db in
                    try await refunds.refund(orderId: "ord_00000000000000000000000000", .init(amount: 1, reason: "x"), actor: Self.staff, on: db)
                }
            }
        }
    }

    /// Random amounts, each refunded if that much is left: what was refunded adds up, never passes the total, and the
    /// cancellation gives back exactly the rest. The sales ledger counts what the orders say, also after a rebuild.
    @Test func partialRefundsAddUpAndNeverExceedWhatWasPaid() async throws {
        try await TestDatabase.with { database in
            let product = try await checkouts.seed(database, stock: 1000)
            let (gateway, clock) = (RecordingGateway(), MovableClock())
            let refunds = refunds(gateway, clock)
            await propertyCheck(count: 20, input: Gen.int64(in: 1...1500).array(of: 1...8)) { amounts in
                let order = try await stripeOrder(database, product)
                var left = order.total
                for amount in amounts {
                    do {
                        let (after, refund) = try await database.transaction { db in
                            try await refunds.refund(orderId: order.id, .init(amount: amount, reason: "goodwill"), actor: Self.staff, on: db)
                        }
                        #expect(amount <= left, "\(amount) refunded with \(left) left")
                        left -= amount
                        #expect(after.refunded == order.total - left && refund.amount == amount)
                    } catch let error as AtelierError {
                        #expect(amount > left && error.code.rawValue == "refund_exceeds_remaining" && error.members["refundable"] == String(left), "\(error)")
                    }
                }
                #expect(try await self.refunds(of: order.id, database).map(\.amount).reduce(0, +) == order.total - left)
                let cancelled = try await database.transaction { db in
                    try await OrderStore().transition(id: order.id, .init(to: .cancelled, reason: "given up"), actor: Self.staff, refunds: refunds, on: db)
                }
                #expect(cancelled.refunded == order.total)
                let all = try await self.refunds(of: order.id, database)
                #expect(all.map(\.amount).reduce(0, +) == order.total)
                #expect(all.filter { $0.kind == .cancellation }.map(\.amount) == (left > 0 ? [left] : []))
                do {
                    _ = try await database.transaction { db in
                        try await refunds.refund(orderId: order.id, .init(amount: 1, reason: "more"), actor: Self.staff, on: db)
                    }
                    Issue.record("a cancelled order was refunded again")
                } catch let error as AtelierError {
                    #expect(error.code.rawValue == "order_cancelled")
                }
            }
            // Each refund reached the provider once, and the reports count what the orders say was refunded.
            try await runJobs(worker(database, gateway, clock), database, clock, limit: 1000)
            let refunded = try await sum("SELECT CAST(COALESCE(SUM(refunded), 0) AS BIGINT) AS n FROM orders", database)
            #expect(gateway.refundsMade.values.map(\.amount).reduce(0, +) == refunded)
            #expect(gateway.calls.count == gateway.refundsMade.count)
            #expect(try await sum("SELECT CAST(COALESCE(SUM(refunded), 0) AS BIGINT) AS n FROM report_entries WHERE dimension = 'order'", database)
                == refunded)
            try await SalesLedger(timeZone: TimeZone(identifier: "UTC")!).rebuild(database: database)
            #expect(try await sum("SELECT CAST(COALESCE(SUM(refunded), 0) AS BIGINT) AS n FROM report_daily WHERE dimension = 'order'", database)
                == refunded)
        }
    }

    /// Ten cancellations and twenty refunds of 500 of one order (2400), all at once: one cancellation, and the order's
    /// total given back once in all, whichever came first (PostgreSQL locks the order; SQLite serializes writers).
    @Test func concurrentCancellationsAndRefundsOfOneOrderGiveBackItsTotalOnce() async throws {
        try await TestDatabase.with { database in
            let product = try await checkouts.seed(database)
            let order = try await stripeOrder(database, product)
            let (gateway, clock) = (RecordingGateway(), MovableClock())
            let refunds = refunds(gateway, clock)
            let outcomes = await withTaskGroup(of: String.self) { group in
                for index in 0..<30 {
                    group.addTask {
                        do {
                            if index % 3 == 0 {
                                _ = try await database.transaction { db in
                                    try await OrderStore().transition(id: order.id, .init(to: .cancelled, reason: "race"), actor: Self.staff,
                                                                      refunds: refunds, on: db)
                                }
                                return "cancelled"
                            }
                            _ = try await database.transaction { db in
                                try await refunds.refund(orderId: order.id, .init(amount: 500, reason: "race"), actor: Self.staff, on: db)
                            }
                            return "refunded"
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
            #expect(outcomes.filter { $0 == "cancelled" }.count == 1, "\(outcomes)")
            #expect(Set(outcomes).isSubset(of: ["cancelled", "refunded", "illegal_transition", "order_cancelled", "refund_exceeds_remaining"]),
                    "\(outcomes)")
            let decided = try await self.refunds(of: order.id, database)
            #expect(decided.map(\.amount).reduce(0, +) == order.total)
            #expect(decided.filter { $0.kind == .partial }.count == outcomes.filter { $0 == "refunded" }.count)
            #expect(try await self.order(order.id, database).refunded == order.total)
            try await runJobs(worker(database, gateway, clock), database, clock)
            #expect(gateway.refundsMade.values.map(\.amount).reduce(0, +) == order.total)
            #expect(gateway.calls.count == decided.count)
            #expect(try await self.refunds(of: order.id, database).allSatisfy { $0.status == .succeeded })
        }
    }

    // MARK: late payments

    @Test func aLatePaymentIsRefundedByItsJobAndItsEventSaysHowItEnded() async throws {
        try await TestDatabase.with { database in
            let product = try await checkouts.seed(database)
            let checkout = try await stripeCheckout(database, product, ref: "pi_late")
            _ = try await database.transaction { db in
                try await CheckoutCancellation().cancel(checkoutId: checkout.id, reason: "shopper", by: Actor(.shopper), on: db)
            }
            let (gateway, clock) = (RecordingGateway(), MovableClock())
            let refunds = refunds(gateway, clock)
            func apply(_ eventId: String) async throws -> PaymentOutcome {
                let event = PaymentEvent(provider: .stripe, eventId: eventId, kind: .succeeded, checkoutId: checkout.id, providerRef: "pi_late",
                                         amount: checkout.total, currency: checkout.currency, payload: "{}")
                return try await database.transaction { db in
                    let (outcome, _) = try await PaymentProcessor().apply(event, on: db)
                    try await refunds.refundLatePayment(event, outcome: outcome, on: db)
                    return outcome
                }
            }
            func resolution(_ eventId: String) async throws -> String? {
                try await database.withConnection { db in
                    try await db.raw("SELECT resolution FROM payment_events WHERE event_id = \(bind: eventId)").first(decodingColumn: "resolution", as: String?.self)
                } ?? nil
            }
            #expect(try await apply("evt_late") == .latePayment)
            #expect(try await resolution("evt_late") == "refund pending")
            // The same payment reported again under another event id: the refund decided for the first stands.
            #expect(try await apply("evt_late_again") == .latePayment)
            #expect(try await resolution("evt_late_again")?.hasSuffix("decided for an earlier event") == true)

            try await runJobs(worker(database, gateway, clock), database, clock)
            #expect(gateway.calls.map(\.idempotencyKey) == ["atelier-late-stripe-pi_late"])
            #expect(gateway.calls.first?.amount == checkout.total)
            #expect(try await resolution("evt_late") == "refunded \(checkout.total)")
            let refund = try #require(try await database.withConnection { db in
                try await RefundStore().find(idempotencyKey: "atelier-late-stripe-pi_late", on: db)
            })
            #expect(refund.kind == .latePayment && refund.orderId == nil && refund.checkoutId == checkout.id && refund.paymentEventId == "evt_late")
            #expect(refund.status == .succeeded)
        }
    }
}
