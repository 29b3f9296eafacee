import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Foundation
import Logging
import SQLKit

extension CheckoutPayments {
    /// The shopper reports the outcome of a test-provider payment (the test provider's stand-in for a provider's
    /// webhook): applied through the same exactly-once path, with a late payment's refund decided in the same
    /// transaction. Answers nil when the token does not open a test-provider checkout with that id.
    public func reportTestPayment(checkoutId: String, accessToken: String?, failed: Bool, logger: Logger) async throws
        -> PaymentProcessor.Applied? {
        let (processor, refunds, now) = (PaymentProcessor(clock: clock), Refunds(gateways: gateways, clock: clock), clock.now)
        let applied = try await database.transaction { db -> PaymentProcessor.Applied? in
            // Read and locked once: the processor works on this row.
            guard let payable = try await CheckoutStore().payable(id: checkoutId, accessToken: accessToken, on: db),
                  payable.checkout.provider == .test
            else { return nil }
            let checkout = payable.checkout
            let event = PaymentEvent(
                provider: .test, eventId: Identifier.make(prefix: "tpe", at: now), kind: failed ? .failed : .succeeded,
                checkoutId: checkout.id, providerRef: TestPaymentGateway.reference(checkoutId: checkout.id), amount: checkout.total,
                currency: checkout.currency, payload: #"{"provider":"test"}"#)
            var applied = try await processor.applied(event, payable: payable, on: db)
            try await refunds.refundLatePayment(event, outcome: applied.outcome, on: db)
            if applied.order == nil, let orderId = applied.checkout?.orderId {
                // Paid before: the answer names the order made then.
                applied.order = try await OrderStore(clock: clock).find(id: orderId, on: db)
            }
            return applied
        }
        if let applied {
            logger.info("payment event", metadata: ["provider": "test", "checkout_id": .string(checkoutId),
                                                    "outcome": .string(applied.outcome.rawValue)])
        }
        return applied
    }
}
