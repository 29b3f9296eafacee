import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Foundation
import Logging
import SQLKit

/// The one path a provider's payment takes to an order, whoever reports it: a verified webhook, the answer to a
/// capture, or the provider answering when asked (`PaymentReconciliation`).
extension CheckoutPayments {
    /// Applies a payment fact exactly once (`PaymentProcessor`), and in the same transaction decides the refund of
    /// money that cannot make an order (`late_payment`, `amount_mismatch`).
    public func apply(_ event: PaymentEvent, logger: Logger) async throws -> PaymentOutcome {
        let (processor, refunds) = (PaymentProcessor(clock: clock), Refunds(gateways: gateways, clock: clock))
        let outcome = try await database.transaction { db in
            let (outcome, _) = try await processor.apply(event, on: db)
            try await refunds.refundLatePayment(event, outcome: outcome, on: db)
            return outcome
        }
        logger.info("payment event", metadata: [
            "provider": .string(event.provider.rawValue), "event_id": .string(event.eventId), "outcome": .string(outcome.rawValue),
        ])
        return outcome
    }

    /// The buyer approved a PayPal order: captures it and applies what the capture gave — but only while its checkout
    /// is pending, so nothing is captured for an expired or cancelled checkout. The capture's idempotency key is the
    /// checkout's, so an approval reported twice (its webhook, a lookup) captures once. `approval` names this report
    /// of the approval: a declined capture is recorded once per report. A PayPal that cannot be reached, or refuses,
    /// is a 502 (`AtelierError`), and the checkout stays as it was.
    public func captureApprovedPayPalOrder(_ orderId: String, approval: String, payload: String, logger: Logger) async throws -> PaymentOutcome {
        guard let paypal = gateways.paypal else {
            throw AtelierError(.unprocessable, code: .providerUnavailable, title: "Payment provider unavailable",
                               detail: "paypal is not configured on this server.")
        }
        let found = try await database.withConnection { db in try await CheckoutStore().find(provider: .paypal, ref: orderId, on: db) }
        // Money is captured only for a checkout that can still become an order.
        guard let checkout = found, checkout.status == .pending else { return found == nil ? .unknownCheckout : .ignored }
        let result: PayPalGateway.CaptureResult
        do throws(PaymentGatewayError) {
            result = try await paypal.capture(orderId: orderId, idempotencyKey: "atelier-capture-\(checkout.id)")
        } catch where error.code == "ORDER_ALREADY_CAPTURED" {
            // Captured already (another report of the approval): the capture's own report applies it.
            return .ignored
        } catch {
            throw error.problem
        }
        switch result {
        case .captured(let capture):
            // A pending capture is applied when PAYMENT.CAPTURE.COMPLETED (or a later lookup) reports it completed.
            guard let event = capture.paymentEvent(payload: payload) else { return .ignored }
            return try await apply(event, logger: logger)
        case .declined:
            return try await apply(PaymentEvent(
                provider: .paypal, eventId: "declined:\(approval)", kind: .failed, checkoutId: checkout.id, providerRef: orderId,
                amount: checkout.total, currency: checkout.currency, payload: payload), logger: logger)
        }
    }
}
