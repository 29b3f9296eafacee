import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Foundation
import SQLKit

/// Decides refunds and records how they end.
///
/// Deciding never calls a provider: it writes the refund and queues its job in the caller's transaction (the one that
/// cancels the order, refunds part of it or records a payment that made no order), so the refund exists exactly when
/// that change commits, and no row stays locked while a provider answers. `RefundJobs` then makes it at the provider.
/// Whether the provider can be asked at all is checked here, at decision time: a provider this server is not
/// configured for is 409 `refund_unavailable`.
public struct Refunds: Sendable {
    public let gateways: PaymentGateways
    let clock: WallClock

    /// How a refund's job is retried when the provider cannot be reached: from about 10 seconds to an hour apart,
    /// 12 calls over about three hours; the last failure marks the refund `failed`.
    public static let retryPolicy = RetryPolicy(maxAttempts: 12, baseDelay: 10, maxDelay: 3600)

    public init(gateways: PaymentGateways, clock: WallClock = .system) {
        self.gateways = gateways
        self.clock = clock
    }

    /// Whether money paid through `provider` can be given back from here.
    public func canRefund(through provider: PaymentProviderKind) -> Bool {
        gateways.gateway(for: provider) != nil
    }

    /// Whether refunds through `provider` are complete when decided (a gateway that settles locally: the test provider).
    func settlesLocally(_ provider: PaymentProviderKind) -> Bool {
        gateways.gateway(for: provider)?.settlesLocally ?? false
    }

    /// Refuses a refund this server cannot ask the provider for; `instead` tells staff how to record one made outside.
    func checkAvailable(_ order: Order, instead: String) throws {
        guard canRefund(through: order.provider), order.paymentRef != nil || settlesLocally(order.provider) else {
            throw AtelierError(.conflict, code: .refundUnavailable, title: "Refund not available",
                               detail: "\(order.provider.rawValue) is not configured here: refund in the provider's dashboard, then "
                                   + instead + " to record that the money was given back outside Atelier.")
        }
    }

    /// Records a decided refund in the caller's transaction. With nothing to ask of a provider (a gateway that settles
    /// locally, money given back outside Atelier) it is `succeeded` at once; otherwise it is `pending` with its job queued.
    /// Answers the refund, or the one decided before under the same idempotency key.
    func decide(_ refund: Refund, on db: any SQLDatabase) async throws -> Refund {
        var refund = refund
        let immediate = refund.outside || settlesLocally(refund.provider)
        if immediate {
            refund.status = .succeeded
            refund.completedAt = refund.createdAt
            refund.providerAmount = refund.outside ? nil : refund.amount
        }
        let store = RefundStore()
        guard try await store.insert(refund, on: db) else {
            guard let existing = try await store.find(idempotencyKey: refund.idempotencyKey, on: db) else { throw AtelierError.internalError }
            return existing
        }
        if !immediate {
            let queue = JobQueue(backend: db.dialect.name == "postgresql" ? .postgres : .sqlite, clock: clock)
            try await queue.enqueue(kind: RefundJobs.kind, payload: try Coding.encode(RefundJobs.Payload(refundId: refund.id)),
                                    dedupeKey: "refund:" + refund.id, maxAttempts: Self.retryPolicy.maxAttempts, on: db)
        }
        return refund
    }

    /// What `payment_events.resolution` says of a payment's refund.
    static func resolution(of refund: Refund, code: String? = nil) -> String {
        switch refund.status {
        case .pending: "refund pending"
        case .succeeded: "refunded \(refund.providerAmount ?? refund.amount)"
        case .failed: "refund_failed: \(code ?? "error")"
        }
    }
}
