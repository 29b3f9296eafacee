import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Foundation
import Logging
import SQLKit

/// The provider side of a checkout: creating the payment after the checkout committed, and cancelling.
/// Money that arrived too late goes back through `Refunds.refundLatePayment`, decided with its event.
///
/// Provider calls never run inside a database transaction (no row stays locked while a network call
/// waits). The checkout commits first; the payment is then created with the checkout id as the
/// provider's idempotency key and attached in a second transaction. A crash or timeout in between
/// leaves a pending checkout without a payment, which the next call (a retry with the same
/// Idempotency-Key, or `GET /checkout`) completes — it can only ever find the same provider payment.
public struct CheckoutPayments: Sendable {
    public let database: any DatabaseClient
    public let gateways: PaymentGateways
    let clock: WallClock

    public init(database: any DatabaseClient, gateways: PaymentGateways, clock: WallClock = .system) {
        self.database = database
        self.gateways = gateways
        self.clock = clock
    }

    /// The provider's idempotency key for a checkout's payment.
    public static func paymentKey(_ checkoutId: String) -> String { "atelier-\(checkoutId)" }

    /// The checkout with its provider payment, creating that payment if it is still missing.
    /// A provider that refuses (a final error) cancels the checkout and gives its stock back.
    public func ensurePayment(_ checkout: Checkout) async throws -> Checkout {
        guard checkout.awaitsProviderPayment else { return checkout }
        guard let gateway = gateways.gateway(for: checkout.provider) else {
            throw AtelierError(.unprocessable, code: .providerUnavailable, title: "Payment provider unavailable",
                               detail: "\(checkout.provider.rawValue) is not configured on this server.")
        }
        let handle: PaymentHandle
        do throws(PaymentGatewayError) {
            handle = try await gateway.createPayment(PaymentRequest(
                checkoutId: checkout.id, amount: checkout.total, currency: checkout.currency, idempotencyKey: Self.paymentKey(checkout.id)))
        } catch {
            if !error.transient {
                _ = try await database.transaction { db in
                    try await CheckoutCancellation(clock: clock).cancel(checkoutId: checkout.id, reason: "provider_refused",
                                                                       by: Actor(.paymentProvider, checkout.provider.rawValue), on: db)
                }
            }
            throw error.problem
        }
        let now = clock.now
        // One statement: no transaction needed.
        return try await database.withConnection { db in
            guard let updated = try await CheckoutStore().attachPayment(
                checkoutId: checkout.id, providerRef: handle.reference, clientSecret: handle.clientSecret, approvalURL: handle.approvalURL,
                at: now, on: db)
            else { throw AtelierError.internalError }
            return updated
        }
    }
}
