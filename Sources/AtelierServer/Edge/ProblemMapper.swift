import Atelier
import Foundation
import HTTPTypes
import Hummingbird
import OpenAPIRuntime

/// Turns any error into the RFC 9457 answer the contract promises. The only place that does.
enum ProblemMapper {
    /// The problem to answer, and whether it is an unexpected failure that must be logged as such.
    static func problem(for error: any Error) -> (AtelierError, internal: Bool) {
        switch error {
        case let error as AtelierError:
            return (error, error.kind == .internal)
        case let error as ServerError:
            return problem(for: error.underlyingError, status: error.httpStatus)
        case let error as DecodingError:
            return (decodingProblem(error), false)
        case let error as HTTPError:
            return fromStatus(error.status, detail: error.body)
        default:
            return (.internalError, true)
        }
    }

    /// An error wrapped by the OpenAPI runtime: decoding failures become 400, runtime errors that
    /// carry a 4xx status keep it.
    private static func problem(for underlying: any Error, status: HTTPResponse.Status) -> (AtelierError, internal: Bool) {
        switch underlying {
        case is AtelierError, is DecodingError, is HTTPError, is ServerError:
            return problem(for: underlying)
        default:
            if let convertible = underlying as? any HTTPResponseConvertible {
                return fromStatus(convertible.httpStatus, detail: nil)
            }
            return status.kind == .clientError ? fromStatus(status, detail: nil) : (.internalError, true)
        }
    }

    private static func fromStatus(_ status: HTTPResponse.Status, detail: String?) -> (AtelierError, internal: Bool) {
        switch status.code {
        case 400:
            return (.badRequest(detail ?? "The request could not be read: a parameter or header is missing or malformed."), false)
        case 404:
            return (AtelierError(.notFound, code: .notFound, title: "Not found", detail: detail ?? "No such resource."), false)
        case 406:
            return (AtelierError(.badRequest, code: .notAcceptable, title: "Not acceptable",
                                 detail: "The Accept header allows none of the types this operation answers with."), false)
        case 413:
            return (AtelierError(.contentTooLarge, code: .contentTooLarge, title: "Request body too large",
                                 detail: detail ?? "The request body is larger than this server accepts."), false)
        case 415:
            return (AtelierError(.unsupportedMediaType, code: .unsupportedMediaType, title: "Unsupported media type",
                                 detail: "Send the body with the content type the operation documents (usually application/json)."), false)
        case 400..<500:
            return (AtelierError(.badRequest, code: .badRequest, title: "Bad request", detail: detail ?? status.reasonPhrase), false)
        default:
            return (.internalError, true)
        }
    }

    private static func decodingProblem(_ error: DecodingError) -> AtelierError {
        func pointer(_ path: [any CodingKey]) -> String {
            path.isEmpty ? "" : "/" + path.map { key in
                (key.intValue.map(String.init) ?? key.stringValue)
                    .replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
            }.joined(separator: "/")
        }
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return AtelierError(.badRequest, code: .malformedJson, title: "Malformed JSON",
                                detail: "The body is not valid JSON.")
        case .dataCorrupted(let context):
            return invalid(pointer(context.codingPath), .invalidValue, "This value is not allowed here.")
        case .typeMismatch(let type, let context):
            return invalid(pointer(context.codingPath), .wrongType, "Expected a value of type \(typeName(type)).")
        case .valueNotFound(let type, let context):
            return invalid(pointer(context.codingPath), .missingValue, "Expected a value of type \(typeName(type)), found null.")
        case .keyNotFound(let key, let context):
            return invalid(pointer(context.codingPath + [key]), .required, "This field is required.")
        @unknown default:
            return AtelierError(.badRequest, code: .invalidBody, title: "Invalid body", detail: "The body could not be read.")
        }
    }

    private static func invalid(_ pointer: String, _ code: AtelierError.Code, _ message: String) -> AtelierError {
        AtelierError(.badRequest, code: .invalidBody, title: "The body does not match the schema",
                     detail: "\(pointer.isEmpty ? "The body" : pointer): \(message)",
                     errors: [.init(pointer: pointer, code: code, message: message)])
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "string"
        case is Int.Type, is Int64.Type, is Int32.Type: "integer"
        case is Double.Type, is Float.Type: "number"
        case is Bool.Type: "boolean"
        default: "object or array"
        }
    }

    /// The problem answer for an error thrown while serving a request, with the headers its kind calls for;
    /// an unexpected error is logged (with the request's method and path) and answered without its details.
    static func response(for error: any Error, context: AtelierRequestContext, request: Request? = nil) -> Response {
        let (problem, isInternal) = problem(for: error)
        if isInternal {
            context.logger.error("request failed", metadata: [
                "error": .string(String(reflecting: error)),
                "method": .string(request?.method.rawValue ?? ""),
                "path": .string(request?.uri.path ?? ""),
            ])
        }
        var headers: HTTPFields = [:]
        if problem.kind == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        if problem.kind == .uriTooLong || problem.kind == .headersTooLarge { headers[.connection] = "close" }
        if problem.kind == .tooManyRequests, let retryAfter = problem.members["retryAfter"] { headers[.retryAfter] = retryAfter }
        return response(problem, requestID: context.requestID, headers: headers)
    }

    static func response(_ problem: AtelierError, requestID: String, headers extra: HTTPFields = [:]) -> Response {
        var body = "{\"type\":"
        JSONText.appendString("/docs#problem-\(problem.code.rawValue)", to: &body)
        body += ",\"title\":"
        JSONText.appendString(problem.title, to: &body)
        body += ",\"status\":\(problem.status),\"code\":"
        JSONText.appendString(problem.code.rawValue, to: &body)
        body += ",\"detail\":"
        JSONText.appendString(problem.detail, to: &body)
        body += ",\"requestId\":"
        JSONText.appendString(requestID, to: &body)
        if !problem.errors.isEmpty {
            body += ",\"errors\":["
            for (index, error) in problem.errors.enumerated() {
                if index > 0 { body += "," }
                body += "{\"pointer\":"
                JSONText.appendString(error.pointer, to: &body)
                body += ",\"code\":"
                JSONText.appendString(error.code.rawValue, to: &body)
                body += ",\"message\":"
                JSONText.appendString(error.message, to: &body)
                body += "}"
            }
            body += "]"
        }
        for (name, json) in problem.members.sorted(by: { $0.key < $1.key }) {
            body += ","
            JSONText.appendString(name, to: &body)
            body += ":" + json
        }
        body += "}"
        var headers = extra
        headers[.contentType] = "application/problem+json"
        return Response(
            status: .init(code: problem.status),
            headers: headers,
            body: .init(byteBuffer: ByteBuffer(string: body))
        )
    }
}
