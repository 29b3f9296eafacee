import Atelier
import AtelierAPI

extension APIHandlers {
    func createOrderRefund(_ input: Operations.CreateOrderRefund.Input) async throws -> Operations.CreateOrderRefund.Output {
        guard case .json(let body) = input.body else { throw AtelierError.badRequest("Send a JSON body.") }
        let key = try caller()
        let request = Refunds.PartialRequest(
            amount: body.amount, reason: body.reason, lines: (body.lines ?? []).map { Refund.Line(index: $0.index, quantity: $0.quantity) },
            outside: body.outside == true)
        try Refunds.check(request)
        let (id, refunds) = (input.path.orderId, services.refunds)
        let refund = try await database.transaction { db in
            try await refunds.refund(orderId: id, request, actor: Actor(.apiKey, key.id), on: db).refund
        }
        return .created(.init(body: .json(.init(refund))))
    }
}

extension Components.Schemas.RefundView {
    /// Staff's view of one of an order's refunds.
    init(_ refund: Refund) {
        self.init(
            id: refund.id, kind: refund.kind == .cancellation ? .cancellation : .partial,
            amount: .init(amount: refund.amount, currency: refund.currency), status: .init(rawValue: refund.status.rawValue)!,
            reason: refund.reason, lines: refund.lines?.map { .init(index: $0.index, quantity: $0.quantity) }, outside: refund.outside,
            lastError: refund.lastError, createdAt: refund.createdAt, completedAt: refund.completedAt)
    }
}
