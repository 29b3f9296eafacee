import Atelier
import AtelierAPI
import Foundation
import OpenAPIRuntime

extension APIHandlers {
    func exportPersonalData(_ input: Operations.ExportPersonalData.Input) async throws -> Operations.ExportPersonalData.Output {
        guard case .json(let body) = input.body else { throw AtelierError.badRequest("Send a JSON body.") }
        let email = try Self.privacyEmail(body.email)
        let data = try await services.privacy.export(email: email, actorId: try caller().id)
        let container = try JSONDecoder().decode(Operations.ExportPersonalData.Output.Ok.Body.JsonPayload.self, from: data)
        return .ok(.init(body: .json(container)))
    }

    func erasePersonalData(_ input: Operations.ErasePersonalData.Input) async throws -> Operations.ErasePersonalData.Output {
        guard case .json(let body) = input.body else { throw AtelierError.badRequest("Send a JSON body.") }
        let email = try Self.privacyEmail(body.email)
        let summary = try await services.privacy.erase(email: email, actorId: try caller().id)
        return .ok(.init(body: .json(.init(
            requestId: summary.requestId, ordersErased: summary.ordersErased, ordersPending: summary.ordersPending,
            checkoutsErased: summary.checkoutsErased, cartsDeleted: summary.cartsDeleted, sessionsDeleted: summary.sessionsDeleted,
            assetsDeleted: summary.assetsDeleted, paymentEventsErased: summary.paymentEventsErased,
            emailCopiesDeleted: summary.emailCopiesDeleted))))
    }

    /// An address as customers enter them: something@something, no control characters.
    static func privacyEmail(_ raw: String) throws -> String {
        let email = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (3...254).contains(email.count), email.contains("@"), !email.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { throw AtelierError.validation([.init(pointer: "/email", code: .invalidEmail, message: "must be an email address.")]) }
        return email
    }
}
