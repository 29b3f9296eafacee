import Atelier
import AtelierAPI
import OpenAPIRuntime

extension APIHandlers {
    func getLiveness(_ input: Operations.GetLiveness.Input) async throws -> Operations.GetLiveness.Output {
        .ok(.init(body: .json(.init(status: .ok))))
    }

    func getReadiness(_ input: Operations.GetReadiness.Input) async throws -> Operations.GetReadiness.Output {
        guard await database.ping() else {
            throw AtelierError(.unavailable, code: "not_ready", title: "Not ready",
                               detail: "The database does not answer.")
        }
        return .ok(.init(body: .json(.init(status: .ok, checks: .init(additionalProperties: ["database": "ok"])))))
    }

    func getMetrics(_ input: Operations.GetMetrics.Input) async throws -> Operations.GetMetrics.Output {
        .ok(.init(body: .plainText(HTTPBody(registry.emitToBuffer()))))
    }
}
