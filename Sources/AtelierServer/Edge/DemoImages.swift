import Atelier
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The demo catalog's product pictures at `/demo/<name>.png`, shipped with the server as package resources (the
/// demo products' media and template views point at them). Read once at start; answered with a strong ETag
/// (the file's digest) and a day of public caching, 304 when the client has them.
struct DemoImages: Sendable {
    static let prefix = "/demo/"

    struct Image: Sendable {
        let bytes: ByteBuffer
        let etag: String
    }

    let images: [String: Image]

    static func load() throws -> DemoImages {
        guard let folder = Bundle.module.resourceURL?.appendingPathComponent("Demo") else {
            throw ContractError("the demo images are missing")
        }
        var images: [String: Image] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".png") {
            let data = try Data(contentsOf: folder.appendingPathComponent(name))
            images[name] = Image(bytes: ByteBuffer(bytes: data), etag: ResponseCache.strongETag(of: data))
        }
        return DemoImages(images: images)
    }

    static func owns(_ path: String) -> Bool { path.hasPrefix(prefix) }

    func respond(to request: Request, requestID: String) -> Response {
        let name = String(request.uri.path.dropFirst(Self.prefix.count))
        guard let image = images[name] else {
            return ProblemMapper.response(AtelierError.notFound("Demo image '\(name.prefix(100))'"), requestID: requestID)
        }
        guard request.method == .get || request.method == .head else {
            return ProblemMapper.response(AtelierError(.methodNotAllowed, code: .methodNotAllowed, title: "Method not allowed",
                                                       detail: "The demo images are read with GET."),
                                          requestID: requestID, headers: [.allow: "GET, HEAD"])
        }
        var headers: HTTPFields = [.eTag: image.etag, .cacheControl: "public, max-age=86400"]
        SecurityHeaders.apply(to: &headers)
        if let offered = request.headers[.ifNoneMatch], ResponseCache.matches(offered, etag: image.etag) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = "image/png"
        headers[.contentLength] = String(image.bytes.readableBytes)
        return Response(status: .ok, headers: headers, body: request.method == .head ? .init() : .init(byteBuffer: image.bytes))
    }
}
