import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Foundation
import Logging

/// Makes decided refunds at their provider: one job per refund, queued in the transaction that decided it.
///
/// The job sends the refund's stored idempotency key on every call, so the provider refunds once however often it
/// runs — retried after a timeout that hid a success, or taken over after a worker died between the provider's
/// answer and the commit. A refund that is no longer pending is left alone. A transient failure (network, timeout,
/// 429, 5xx) throws, and the queue retries it with `Refunds.retryPolicy`; a refusal, or a transient failure on the
/// last attempt, marks the refund `failed`.
public enum RefundJobs {
    public static let kind = "refunds.make"

    struct Payload: Codable {
        var refundId: String
    }

    public static func handler(database: any DatabaseClient, refunds: Refunds,
                               logger: Logger = Logger(label: "atelier.refunds")) -> JobHandler {
        JobHandler(kind: kind, policy: Refunds.retryPolicy) { job in
            let payload = try Coding.decoder.decode(Payload.self, from: Data(job.payload.utf8))
            return try await make(payload.refundId, lastAttempt: job.attempts >= job.maxAttempts, database: database, refunds: refunds,
                                  logger: logger)
        }
    }

    /// Asks the provider for one refund and records the answer; answers the job's result.
    static func make(_ id: String, lastAttempt: Bool, database: any DatabaseClient, refunds: Refunds, logger: Logger) async throws -> String {
        guard let refund = try await database.withConnection({ db in try await RefundStore().find(id: id, on: db) }) else {
            return "refund \(id) does not exist"
        }
        guard refund.status == .pending else { return "refund \(id) is \(refund.status.rawValue) already" }
        var log = logger
        log[metadataKey: "refund_id"] = .string(id)
        log[metadataKey: "provider"] = .string(refund.provider.rawValue)
        guard let gateway = refunds.gateways.gateway(for: refund.provider), let ref = refund.paymentRef else {
            // Configured when the refund was decided, not any more: nobody here can make it.
            let message = "\(refund.provider.rawValue) is not configured on this server"
            _ = try await database.transaction { db in
                try await refunds.failed(id, code: "provider_not_configured", error: message, attempted: false, on: db)
            }
            log.error("refund failed", metadata: ["error": .string(message)])
            return "refund \(id) failed: \(message)"
        }
        let answer: Result<Int64, PaymentGatewayError>
        do throws(PaymentGatewayError) {
            answer = .success(try await gateway.refund(RefundRequest(
                paymentRef: ref, amount: refund.amount, currency: refund.currency, idempotencyKey: refund.idempotencyKey)))
        } catch {
            answer = .failure(error)
        }
        switch answer {
        case .success(let amount):
            _ = try await database.transaction { db in try await refunds.succeeded(id, providerAmount: amount, on: db) }
            log.notice("refund made", metadata: ["amount": .stringConvertible(amount)])
            return "refunded \(amount)"
        case .failure(let error) where error.transient && !lastAttempt:
            let now = refunds.clock.now
            try await database.transaction { db in
                try await RefundStore().recordAttempt(id: id, error: error.description, at: now, on: db)
            }
            throw error
        case .failure(let error):
            _ = try await database.transaction { db in
                try await refunds.failed(id, code: error.code, error: error.description, attempted: true, on: db)
            }
            log.error("refund failed", metadata: ["error": .string(error.description)])
            return "refund \(id) failed: \(error.code)"
        }
    }
}
