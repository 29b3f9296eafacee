import Atelier
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import OpenAPIRuntime

/// The end of the edge: calls the operation of the route the `RoutingMiddleware` matched, or answers 404
/// and 405 (with `Allow`).
///
/// The generated server registers its handlers here (this is its `ServerTransport`), so a request is
/// matched once, against the contract's own table, and goes straight to its operation with what the edge
/// learned about it (request id, API key, cart key, the body as received) in `RequestScope`.
struct OperationRouter: HTTPResponder {
    typealias Context = AtelierRequestContext

    func respond(to request: Request, context: Context) async throws -> Response {
        let route: RouteTable.Route
        let parameters: [String: Substring]
        switch context.match {
        case .notFound:
            throw AtelierError(.notFound, code: .routeNotFound, title: "Not found",
                               detail: "No operation at \(request.uri.path); see /openapi.json for the API.")
        case .methodNotAllowed(_, let allowed):
            let list = allowed.map(\.rawValue).joined(separator: ", ")
            return ProblemMapper.response(
                AtelierError(.methodNotAllowed, code: .methodNotAllowed, title: "Method not allowed",
                             detail: "\(request.method.rawValue) is not allowed here; allowed: \(list)."),
                requestID: context.requestID, headers: [.allow: list])
        case .route(let matched, let values):
            route = matched
            parameters = values
        }
        switch route.operation {
        case .document(let body, let contentType):
            return Response(status: .ok, headers: [.contentType: contentType, .cacheControl: "public, max-age=300"],
                            body: .init(byteBuffer: body))
        case .contract(let handler):
            let scope = RequestScope(requestID: context.requestID, logger: context.logger, apiKey: context.apiKey,
                                     sessionKey: context.sessionKey, rawBody: context.rawBody)
            let length: HTTPBody.Length = request.headers[.contentLength].flatMap(Int64.init).map { .known($0) } ?? .unknown
            let body: HTTPBody
            if route.bodyLimit == "asset" {
                // An upload streams on to its handler.
                body = HTTPBody(request.body.map { [UInt8](buffer: $0) }, length: length, iterationBehavior: .single)
            } else {
                body = HTTPBody(Array(context.rawBody.readableBytesView), length: length)
            }
            let (head, answer) = try await RequestScope.$current.withValue(scope) {
                try await handler(request.head, body, ServerRequestMetadata(pathParameters: parameters))
            }
            return Response(status: head.status, headers: head.headerFields, body: try await Self.body(answer))
        case nil:
            throw AtelierError(.notFound, code: .routeNotFound, title: "Not found",
                               detail: "No operation at \(request.uri.path); see /openapi.json for the API.")
        }
    }

    /// Answers up to this size are gathered into one buffer, so head and body leave in one write.
    static let gatheredBytes: Int64 = 1 << 20

    /// The operation's answer as a response body. The generated server's answers are in memory already: they
    /// are gathered into one buffer, which the server writes with the head and the end in one go (a body
    /// written piece by piece costs a write and a flush per piece). Streams, and anything large, are written
    /// as they come, with their length when known.
    private static func body(_ body: HTTPBody?) async throws -> ResponseBody {
        guard let body else { return .init(byteBuffer: ByteBuffer()) }
        if case .known(let length) = body.length, length <= gatheredBytes {
            var buffer = ByteBuffer()
            buffer.reserveCapacity(Int(length))
            for try await chunk in body { buffer.writeBytes(chunk) }
            return .init(byteBuffer: buffer)
        }
        let buffers = body.map { ByteBuffer(bytes: $0) }
        guard case .known(let length) = body.length else { return .init(asyncSequence: buffers) }
        return .init(contentLength: Int(length)) { writer in
            for try await buffer in buffers { try await writer.write(buffer) }
            try await writer.finish(nil)
        }
    }
}

/// Collects the generated server's handlers by method and path template, to be attached to the routes.
final class OperationRegistry: ServerTransport {
    private(set) var operations: [String: RouteOperation] = [:]

    func register(_ handler: @escaping RouteOperation.Handler, method: HTTPRequest.Method, path: String) throws {
        operations[RouteTable.key(method, path)] = .contract(handler)
    }

    func add(_ document: ByteBuffer, contentType: String, at path: String) {
        operations[RouteTable.key(.get, path)] = .document(body: document, contentType: contentType)
    }
}
