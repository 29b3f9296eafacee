import HTTPTypes
import Hummingbird
import NIOCore
import OpenAPIRuntime

/// What answers a route: an operation of the generated server, or a fixed document (the contract itself).
enum RouteOperation: Sendable {
    typealias Handler = @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)

    case contract(Handler)
    case document(body: ByteBuffer, contentType: String)
}
