import Atelier
import AtelierAPI
import Foundation

/// Staff's view of checkouts: the list with its filters, one checkout with its audit trail, and cancelling one.
extension APIHandlers {
    func listAdminCheckouts(_ input: Operations.ListAdminCheckouts.Input) async throws -> Operations.ListAdminCheckouts.Output {
        let query = input.query
        if let email = query.email, !(1...254).contains(email.count) {
            throw AtelierError.validation([.init(pointer: "/email", code: .tooLong, message: "must be 1–254 characters.")])
        }
        let page = try PageRequest(limit: query.limit, cursor: query.cursor)
        let filter = CheckoutStore.ListFilter(
            status: query.status.flatMap { CheckoutStatus(rawValue: $0.rawValue) },
            provider: query.provider.flatMap { PaymentProviderKind(rawValue: $0.rawValue) },
            from: query.from, to: query.to, emailHash: query.email.map(cipher.lookupHash(email:)))
        let checkouts = services.checkouts
        let result = try await database.withConnection { db in try await checkouts.list(filter, page: page, on: db) }
        return .ok(.init(body: .json(.init(items: try result.items.map { try adminCheckout($0, history: []) }, nextCursor: result.nextCursor))))
    }

    func getAdminCheckout(_ input: Operations.GetAdminCheckout.Input) async throws -> Operations.GetAdminCheckout.Output {
        let (id, checkouts) = (input.path.checkoutId, services.checkouts)
        let answer = try await database.withConnection { db in
            guard let listed = try await checkouts.listed(id: id, on: db) else { throw AtelierError.notFound("Checkout '\(id)'") }
            return try adminCheckout(listed, history: try await CheckoutAudit.history(checkoutId: listed.checkout.id, on: db))
        }
        return .ok(.init(body: .json(answer)))
    }

    func cancelAdminCheckout(_ input: Operations.CancelAdminCheckout.Input) async throws -> Operations.CancelAdminCheckout.Output {
        guard case .json(let body) = input.body else { throw AtelierError.badRequest("Send a JSON body.") }
        let reason = body.reason.trimmingCharacters(in: .whitespacesAndNewlines)
        if reason.isEmpty || reason.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\n" }) {
            throw AtelierError.validation([.init(pointer: "/reason", code: .invalidReason, message: "a reason, without control characters.")])
        }
        let key = try caller()
        let (id, cancellation, checkouts) = (input.path.checkoutId, services.cancellation, services.checkouts)
        let answer = try await database.transaction { db in
            guard try await cancellation.cancel(checkoutId: id, reason: reason, by: Actor(.apiKey, key.id), on: db) != nil,
                  let listed = try await checkouts.listed(id: id, on: db)
            else { throw AtelierError.notFound("Checkout '\(id)'") }
            return try adminCheckout(listed, history: try await CheckoutAudit.history(checkoutId: id, on: db))
        }
        return .ok(.init(body: .json(answer)))
    }

    private func adminCheckout(_ listed: CheckoutStore.Listed, history: [CheckoutAuditRecord]) throws -> Components.Schemas.AdminCheckout {
        let checkout = listed.checkout
        // An erased customer's checkout keeps a placeholder; it still opens.
        let email = (try? cipher.open(json: listed.sealedCustomer, as: CustomerDetails.self))?.email ?? ""
        return Components.Schemas.AdminCheckout(
            id: checkout.id, status: .init(rawValue: checkout.status.rawValue)!, provider: .init(rawValue: checkout.provider.rawValue)!,
            paymentReference: checkout.providerRef, total: .init(amount: checkout.total, currency: checkout.currency), email: email,
            orderId: checkout.orderId, createdAt: checkout.createdAt, expiresAt: checkout.expiresAt,
            ageSeconds: Int64(max(0, clock.now.timeIntervalSince(checkout.createdAt))),
            history: history.map {
                .init(at: $0.at, event: .init(rawValue: $0.event.rawValue)!, actorKind: .init(rawValue: $0.actor.kind.rawValue) ?? .system,
                      actorId: $0.actor.id, reason: $0.reason)
            })
    }
}
