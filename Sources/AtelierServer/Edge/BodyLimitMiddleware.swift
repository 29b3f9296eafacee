import Atelier
import Hummingbird
import NIOCore

/// Reads a route's body within its limit (413 beyond it, from `Content-Length` before reading when it is
/// declared), keeping the bytes as received for the operation and for signatures over them. Uploads are
/// not read here: they stream on to their handler, which enforces the limit, charged to the client's hourly
/// quota. A JSON body of ours may not contain `null` (400 naming its pointer).
struct BodyLimitMiddleware: RouterMiddleware {
    typealias Context = AtelierRequestContext
    let maxBodyBytes: Int
    let maxAssetBytes: Int
    /// Bytes each client may upload per hour (nil: no quota), and who the client is.
    let uploadQuota: UploadQuota?
    let clients: RateLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let route = context.match.route else { return try await next(request, context) }
        var request = request
        var context = context
        let isUpload = route.bodyLimit == "asset"
        let limit = isUpload ? maxAssetBytes : maxBodyBytes
        let declaredLength = request.headers[.contentLength].flatMap(Int.init)
        if let declaredLength, declaredLength > limit {
            throw Self.tooLarge(limit)
        }
        if isUpload {
            if let uploadQuota, let client = clients.clientAddress(remoteAddress: context.remoteAddress, headers: request.headers) {
                request.body = try uploadQuota.meter(request.body, client: client, declaredLength: declaredLength)
            }
            return try await next(request, context)
        }
        do {
            context.rawBody = try await request.collectBody(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw Self.tooLarge(limit)
        }
        let body = context.rawBody
        if body.readableBytes > 0, !route.foreignBody, request.headers[.contentType].map(Self.isJSON) ?? true,
           let pointer = JSONNulls.firstNull(in: body) {
            throw AtelierError(.badRequest, code: .invalidBody, title: "The body does not match the schema",
                               detail: "\(pointer.isEmpty ? "The body" : pointer): null is not allowed; leave the field out.",
                               errors: [.init(pointer: pointer, code: .nullNotAllowed, message: "null is not allowed; leave the field out.")])
        }
        return try await next(request, context)
    }

    private static func isJSON(_ contentType: String) -> Bool {
        let type = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return type == "application/json" || type.hasSuffix("+json")
    }

    private static func tooLarge(_ limit: Int) -> AtelierError {
        AtelierError(.contentTooLarge, code: .contentTooLarge, title: "Request body too large",
                     detail: "The request body is larger than \(limit) bytes.")
    }
}
