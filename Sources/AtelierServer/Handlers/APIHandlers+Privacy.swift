import Atelier
import AtelierAPI
import Foundation
import OpenAPIRuntime

extension APIHandlers {
    func exportPersonalData(_ input: Operations.ExportPersonalData.Input) async throws -> Operations.ExportPersonalData.Output {
        guard case .json(let body) = input.body else { throw AtelierError.badRequest("Send a JSON body.") }
        let email = try PrivacyRequests.subjectEmail(body.email)
        let data = try await services.privacy.export(email: email, actorId: try caller().id)
        let container = try JSONDecoder().decode(Operations.ExportPersonalData.Output.Ok.Body.JsonPayload.self, from: data)
        return .ok(.init(body: .json(container)))
    }

    func erasePersonalData(_ input: Operations.ErasePersonalData.Input) async throws -> Operations.ErasePersonalData.Output {
        guard case .json(let body) = input.body else { throw AtelierError.badRequest("Send a JSON body.") }
        let email = try PrivacyRequests.subjectEmail(body.email)
        let summary = try await services.privacy.erase(email: email, actorId: try caller().id)
        return .ok(.init(body: .json(.init(
            requestId: summary.requestId, ordersErased: summary.ordersErased, ordersPending: summary.ordersPending,
            checkoutsErased: summary.checkoutsErased, cartsDeleted: summary.cartsDeleted, sessionsDeleted: summary.sessionsDeleted,
            assetsDeleted: summary.assetsDeleted, paymentEventsErased: summary.paymentEventsErased,
            emailCopiesDeleted: summary.emailCopiesDeleted))))
    }
}
