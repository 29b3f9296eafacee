/// A failure the API answers with a stable machine code.
///
/// The domain throws these; the HTTP edge maps them, in one place, to RFC 9457
/// `application/problem+json`. `code` values are part of the public contract: never rename one.
public struct AtelierError: Error, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case badRequest
        case unauthorized
        case forbidden
        case notFound
        case methodNotAllowed
        case conflict
        case gone
        case contentTooLarge
        case uriTooLong
        case unsupportedMediaType
        case unprocessable
        case tooManyRequests
        case headersTooLarge
        /// An upstream service (a payment provider) failed or refused our call.
        case badGateway
        case unavailable
        case `internal`

        public var status: Int {
            switch self {
            case .badRequest: 400
            case .unauthorized: 401
            case .forbidden: 403
            case .notFound: 404
            case .methodNotAllowed: 405
            case .conflict: 409
            case .gone: 410
            case .contentTooLarge: 413
            case .uriTooLong: 414
            case .unsupportedMediaType: 415
            case .unprocessable: 422
            case .tooManyRequests: 429
            case .headersTooLarge: 431
            case .badGateway: 502
            case .unavailable: 503
            case .internal: 500
            }
        }
    }

    /// One problem with one field of the input, located by a JSON pointer (RFC 6901).
    public struct FieldError: Sendable, Equatable, Codable {
        public var pointer: String
        public var code: Code
        public var message: String

        public init(pointer: String, code: Code, message: String) {
            self.pointer = pointer
            self.code = code
            self.message = message
        }
    }

    public var kind: Kind
    public var code: Code
    public var title: String
    public var detail: String
    public var errors: [FieldError]
    /// Extra members of the problem document, each a name and its JSON text (e.g. the new quote of a
    /// `total_changed`).
    public var members: [String: String]

    public init(_ kind: Kind, code: Code, title: String, detail: String, errors: [FieldError] = [], members: [String: String] = [:]) {
        self.kind = kind
        self.code = code
        self.title = title
        self.detail = detail
        self.errors = errors
        self.members = members
    }

    public var status: Int { kind.status }
}

extension AtelierError {
    public static func validation(_ errors: [FieldError], detail: String? = nil) -> AtelierError {
        AtelierError(
            .unprocessable,
            code: .validationFailed,
            title: "The request is not valid",
            detail: detail ?? "\(errors.count) field(s) failed validation; see errors.",
            errors: errors
        )
    }

    public static func notFound(_ what: String) -> AtelierError {
        AtelierError(.notFound, code: .notFound, title: "Not found", detail: "\(what) does not exist.")
    }

    public static let unauthorized = AtelierError(
        .unauthorized,
        code: .unauthorized,
        title: "Authentication required",
        detail: "Send a valid API key as 'Authorization: Bearer <key>'."
    )

    public static func forbidden(role: String, allowed: [String]) -> AtelierError {
        AtelierError(
            .forbidden,
            code: .forbidden,
            title: "Not allowed for this role",
            detail: "The role '\(role)' may not do this; allowed roles: \(allowed.joined(separator: ", "))."
        )
    }

    public static func badRequest(code: Code = .badRequest, _ detail: String) -> AtelierError {
        AtelierError(.badRequest, code: code, title: "Bad request", detail: detail)
    }

    public static let internalError = AtelierError(
        .internal,
        code: .internalError,
        title: "Internal server error",
        detail: "The server failed to answer; the error was logged with this request's id."
    )
}
