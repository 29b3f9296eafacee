import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Foundation
import Logging
import SQLKit
import ServiceLifecycle

/// Finds payments whose webhook never came by asking the provider, and applies them as the webhook would have.
///
/// A shop whose webhook endpoint is misconfigured or down still gets its orders: a periodic job
/// (`PaymentReconciliationJobs`) asks about the checkouts whose payment exists at the provider but that are not paid
/// here, and `GET /checkout` asks about its own checkout when the shopper comes back from the provider. A success
/// goes through `CheckoutPayments.apply`, the webhook's own path: a PayPal capture under the id its webhook carries
/// (so that webhook, arriving later, is a `duplicate`), a PaymentIntent under `payment_intent:<id>:succeeded` (its
/// webhook, arriving later, finds the checkout paid: `already_paid`). Either way there is one order. An approved
/// PayPal order is captured first, by the same decision as its approval webhook. Provider calls never run inside a
/// database transaction.
public struct PaymentReconciliation: Sendable {
    public let payments: CheckoutPayments
    /// A checkout younger than this is left to its webhook, which usually arrives within seconds.
    public var grace: TimeInterval = 30
    /// How long after its expiry time a checkout that never became an order is still asked about: money taken just
    /// before it expired, or after it was cancelled, then goes back like any late payment.
    public var afterExpiry: TimeInterval = 600
    /// The most checkouts one round asks about; those asked least recently go first.
    public var batch = 25
    let clock: WallClock

    public init(payments: CheckoutPayments, clock: WallClock = .system) {
        self.payments = payments
        self.clock = clock
    }

    /// What asking about one checkout did.
    public enum Check: Sendable, Equatable {
        /// The provider had the money (or a capture just took it): applied, with this outcome.
        case applied(PaymentOutcome)
        /// No money has moved: the provider's word for the payment's state.
        case notPaid(String)
        /// A success is already recorded for this checkout: the provider was not asked.
        case alreadyRecorded
        /// The provider could not be asked (away, too slow, refusing, or not configured here); the next round asks again.
        case unavailable(code: String, transient: Bool)
    }

    /// Asks the checkout's provider about its payment and applies a success. `lookupLimit` bounds the wait for the
    /// provider's answer (a shopper is waiting); without it the gateway's own timeout applies. Provider trouble is
    /// answered as `unavailable`, never thrown; database errors are thrown.
    public func check(_ checkout: Checkout, logger: Logger, lookupLimit: Duration? = nil) async throws -> Check {
        guard let reference = checkout.providerRef else { return .notPaid("no_payment") }
        let configured: (any PaymentGateway)? = payments.gateways.gateway(for: checkout.provider)
        guard let gateway = configured else { return .unavailable(code: "provider_not_configured", transient: false) }
        if try await successRecorded(for: checkout.id) { return .alreadyRecorded }
        let status: ProviderPaymentStatus
        do throws(PaymentGatewayError) {
            status = try await Self.lookup(reference, at: gateway, within: lookupLimit)
        } catch {
            return .unavailable(code: error.code, transient: error.transient)
        }
        switch status {
        case .open(let word):
            return .notPaid(word)
        case .succeeded(let event):
            return .applied(try await payments.apply(event, logger: logger))
        case .approved(let orderId):
            let payload = try Coding.encode(["resource": ["id": orderId, "status": "APPROVED"]])
            do {
                let outcome = try await payments.captureApprovedPayPalOrder(orderId, approval: "lookup:\(orderId)", payload: payload, logger: logger)
                // Nothing captured (the checkout is closed, or the capture is still pending at PayPal): no money yet.
                return outcome == .ignored || outcome == .unknownCheckout ? .notPaid("APPROVED") : .applied(outcome)
            } catch let error as AtelierError where error.kind == .badGateway || error.code == .providerUnavailable {
                return .unavailable(code: error.code.rawValue, transient: error.code == .paymentProviderUnavailable)
            }
        }
    }

    /// What one round did.
    public struct Round: Sendable, Equatable {
        public var asked = 0
        /// What each payment event applied did (`order_created`, `late_payment`, `failure_recorded` for a declined capture …).
        public var applied: [PaymentOutcome] = []
        /// Checkouts left for the next round because their provider could not be asked.
        public var unavailable = 0

        public var summary: String {
            "asked about \(asked) payment(s): \(applied.count) applied (\(applied.map(\.rawValue).joined(separator: ", "))), "
                + "\(unavailable) left for the provider to come back"
        }
    }

    /// Asks about at most `batch` checkouts, those asked least recently first. A provider that cannot be reached is
    /// not asked again in the same round (its other checkouts wait for the next one), so an outage costs one call.
    public func run(logger: Logger) async throws -> Round {
        // A gateway that settles locally has nothing to be asked.
        let providers = PaymentProviderKind.allCases.filter { payments.gateways.gateway(for: $0).map { !$0.settlesLocally } ?? false }
        guard !providers.isEmpty else { return Round() }
        let now = clock.now
        let (grace, afterExpiry, batch) = (grace, afterExpiry, batch)
        let kinds: [any Encodable & Sendable] = providers.map { $0.rawValue }
        let candidates = try await payments.database.withConnection { db in
            try await db.raw("""
                SELECT * FROM checkouts
                WHERE status IN ('pending', 'expired', 'cancelled') AND provider IN (\(binds: kinds))
                    AND provider_ref IS NOT NULL AND created_at <= \(bind: now.addingTimeInterval(-grace))
                    AND expires_at > \(bind: now.addingTimeInterval(-afterExpiry))
                    AND NOT EXISTS (SELECT 1 FROM payment_events e WHERE e.checkout_id = checkouts.id AND e.type = 'succeeded')
                ORDER BY CASE WHEN payment_checked_at IS NULL THEN 0 ELSE 1 END, payment_checked_at, created_at
                LIMIT \(literal: batch)
                """).all().map(CheckoutStore.checkout)
        }
        var round = Round()
        var away = Set<PaymentProviderKind>()
        for checkout in candidates where !away.contains(checkout.provider) {
            // Stopping: the rest waits for the next round, on this process or another.
            guard !Task.isShuttingDownGracefully else { break }
            let result = try await check(checkout, logger: logger)
            let id = checkout.id
            try await payments.database.withConnection { db in
                try await db.raw("UPDATE checkouts SET payment_checked_at = \(bind: clock.now) WHERE id = \(bind: id)").run()
            }
            round.asked += 1
            switch result {
            case .applied(let outcome):
                round.applied.append(outcome)
                logger.notice("a payment its webhook did not report was applied from the provider's answer", metadata: [
                    "checkout_id": .string(id), "provider": .string(checkout.provider.rawValue), "outcome": .string(outcome.rawValue),
                ])
            case .unavailable(let code, let transient):
                round.unavailable += 1
                if transient {
                    away.insert(checkout.provider)
                    logger.info("payment provider unavailable; asking again next round", metadata: [
                        "provider": .string(checkout.provider.rawValue), "code": .string(code),
                    ])
                } else {
                    logger.notice("payment provider refused a payment lookup", metadata: [
                        "checkout_id": .string(id), "provider": .string(checkout.provider.rawValue), "code": .string(code),
                    ])
                }
            case .notPaid, .alreadyRecorded:
                break
            }
        }
        return round
    }

    func successRecorded(for checkoutId: String) async throws -> Bool {
        try await payments.database.withConnection { db in
            try await db.select().column("event_id").from("payment_events").where("checkout_id", .equal, checkoutId)
                .where("type", .equal, PaymentEvent.Kind.succeeded.rawValue).limit(1).first() != nil
        }
    }

    /// The provider's answer, or a transient `timeout` once `limit` has passed. A lookup changes nothing at the provider,
    /// so it is abandoned (cancelled) when its time is up or when the process begins to stop.
    static func lookup(_ reference: String, at gateway: any PaymentGateway, within limit: Duration?) async throws(PaymentGatewayError)
        -> ProviderPaymentStatus {
        typealias Answer = Result<ProviderPaymentStatus, PaymentGatewayError>
        let answer = await cancelWhenGracefulShutdown { () async -> Answer? in
            await withTaskGroup(of: Answer?.self) { group -> Answer? in
                group.addTask {
                    do throws(PaymentGatewayError) {
                        return .success(try await gateway.lookup(reference))
                    } catch {
                        return .failure(error)
                    }
                }
                if let limit {
                    group.addTask {
                        try? await Task.sleep(for: limit)
                        return nil
                    }
                }
                let first = await group.next() ?? nil
                group.cancelAll()
                return first
            }
        }
        guard let answer else {
            throw PaymentGatewayError(provider: gateway.kind, status: nil, code: "timeout", message: "no answer in time", transient: true)
        }
        return try answer.get()
    }
}
