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
            let digest = data.reduce(into: UInt64(1_469_598_103_934_665_603)) { hash, byte in hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211 }
            images[name] = Image(bytes: ByteBuffer(bytes: data), etag: "\"\(String(digest, radix: 16))\"")
        }
        return DemoImages(images: images)
    }

    static func owns(_ path: String) -> Bool { path.hasPrefix(prefix) }

    func respond(to request: Request) -> Response {
        let name = String(request.uri.path.dropFirst(Self.prefix.count))
        guard request.method == .get || request.method == .head, let image = images[name] else {
            return Response(status: .notFound, headers: [.contentType: "text/plain; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: "Not found\n")))
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
