import Atelier
import Logging

extension APIHandlers {
    /// How long `GET /checkout` waits for the provider's answer about a payment.
    static let paymentLookupLimit: Duration = .seconds(3)

    /// A pending checkout whose payment exists at its provider, after asking the provider whether it was paid (the
    /// webhook may be late or lost) and applying a success as the webhook would: a shopper back from the provider sees
    /// the order at once. The provider is asked at most once every few seconds per checkout and never twice at once,
    /// and waited for briefly; away, slow or not asked, the checkout is answered as it is (nil here).
    func checkedWithProvider(_ checkout: Checkout) async throws -> (checkout: Checkout, order: Order?)? {
        guard checkout.status == .pending, checkout.providerRef != nil,
              let gateway = services.gateways.gateway(for: checkout.provider), !gateway.settlesLocally,
              paymentLookups.begin(checkout.id)
        else { return nil }
        defer { paymentLookups.finish(checkout.id) }
        guard case .applied = try await services.reconciliation.check(checkout, logger: paymentLogger, lookupLimit: Self.paymentLookupLimit)
        else { return nil }
        let (id, checkouts, orders) = (checkout.id, services.checkouts, services.orders)
        return try await database.withConnection { db -> (checkout: Checkout, order: Order?)? in
            guard let now = try await checkouts.find(id: id, on: db) else { return nil }
            return (now, try await now.orderId.asyncMap { try await orders.find(id: $0, on: db) } ?? nil)
        }
    }
}
