import AtelierCore
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Assets in an S3-compatible store, requests signed with AWS Signature Version 4.
public struct S3AssetStorage: AssetStorage {
    public let settings: S3Settings
    let client: HTTPClient
    let clock: WallClock

    public init(settings: S3Settings, client: HTTPClient = .shared, clock: WallClock = .system) {
        self.settings = settings
        self.client = client
        self.clock = clock
    }

    public struct Failure: Error, CustomStringConvertible {
        public var status: UInt
        public var code: String
        public var description: String { "S3 answered \(status) \(code)" }
    }

    /// The URL and Host of an object.
    func location(of key: String) -> (url: String, host: String, path: String) {
        let objectPath = "/" + SigV4.encode(settings.prefix + key, keepSlash: true)
        let scheme = settings.endpoint.scheme ?? "https"
        let port = settings.endpoint.port.map { ":\($0)" } ?? ""
        let endpointHost = settings.endpoint.host ?? ""
        if settings.pathStyle {
            let path = "/" + SigV4.encode(settings.bucket) + objectPath
            return ("\(scheme)://\(endpointHost)\(port)\(path)", endpointHost + port, path)
        }
        let host = "\(settings.bucket).\(endpointHost)"
        return ("\(scheme)://\(host)\(port)\(objectPath)", host + port, objectPath)
    }

    func send(_ method: HTTPMethod, key: String, body: [UInt8] = [], contentType: String? = nil) async throws -> HTTPClientResponse {
        let (url, host, path) = location(of: key)
        var headers = ["host": host]
        if let contentType { headers["content-type"] = contentType }
        let signer = SigV4(accessKeyID: settings.accessKeyID, secretAccessKey: settings.secretAccessKey, region: settings.region)
        let signature = signer.sign(method: method.rawValue, path: path, headers: headers,
                                    payloadSHA256: SigV4.sha256Hex(body), date: clock.now)
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers.merging(signature, uniquingKeysWith: { _, new in new }) where name != "host" {
            request.headers.add(name: name, value: value)
        }
        if !body.isEmpty || method == .PUT { request.body = .bytes(ByteBuffer(bytes: body)) }
        return try await client.execute(request, timeout: .seconds(30))
    }

    public func put(key: String, bytes: [UInt8], contentType: String) async throws {
        let response = try await send(.PUT, key: key, body: bytes, contentType: contentType)
        guard (200..<300).contains(response.status.code) else { throw try await failure(response) }
    }

    public func get(key: String) async throws -> [UInt8]? {
        let response = try await send(.GET, key: key)
        if response.status == .notFound { return nil }
        guard (200..<300).contains(response.status.code) else { throw try await failure(response) }
        let body = try await response.body.collect(upTo: 1_073_741_824)
        return Array(body.readableBytesView)
    }

    public func delete(key: String) async throws {
        let response = try await send(.DELETE, key: key)
        guard (200..<300).contains(response.status.code) || response.status == .notFound else { throw try await failure(response) }
    }

    func failure(_ response: HTTPClientResponse) async throws -> Failure {
        let body = try await response.body.collect(upTo: 65_536)
        let text = String(buffer: body)
        let code = text.range(of: "<Code>").flatMap { start in
            text.range(of: "</Code>", range: start.upperBound..<text.endIndex).map { String(text[start.upperBound..<$0.lowerBound]) }
        } ?? "unknown"
        return Failure(status: response.status.code, code: code)
    }
}
