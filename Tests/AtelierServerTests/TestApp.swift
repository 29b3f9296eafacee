import Atelier
@testable import AtelierServer
import AtelierTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Synchronization

/// A running app as production builds it, with a client and the bootstrap admin token.
struct TestApp: Sendable {
    let client: any TestClientProtocol
    let database: any DatabaseClient
    let adminToken: String

    /// Sends a request with an optional bearer token and JSON body.
    @discardableResult
    func send(
        _ method: HTTPRequest.Method,
        _ uri: String,
        token: String? = nil,
        json: String? = nil,
        headers: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = headers
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil, headers[.contentType] == nil { headers[.contentType] = "application/json" }
        return try await client.execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }

    /// Creates a key of `role` through the admin API and answers its token and id.
    func makeKey(_ role: Role, name: String = "test") async throws -> (token: String, id: String) {
        let response = try await send(.post, "/admin/api-keys", token: adminToken,
                                      json: #"{"name":"\#(name)","role":"\#(role.rawValue)"}"#)
        guard response.status == .created else { throw TestFailure("creating a key answered \(response.status)") }
        let body = try response.json()
        let key = body["key"] as? [String: Any]
        return (body["token"] as! String, key?["id"] as! String)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Builds the app exactly as `serve` does (configure, migrate, bootstrap, serve) on a fresh database,
/// runs `body`, and shuts everything down, also when `body` throws.
func withApp<T: Sendable>(
    configure: @Sendable (inout AtelierConfiguration) -> Void = { _ in },
    live: Bool = false,
    readiness: Readiness = Readiness(),
    _ body: @escaping @Sendable (TestApp) async throws -> T
) async throws -> T {
    let (setting, cleanup) = try await TestDatabase.makeSetting()
    var configuration = AtelierConfiguration()
    configuration.database = setting
    configuration.server.bootstrapAdminKey = true
    // The console's first admin is made at bootstrap; bcrypt's least cost keeps that quick.
    configuration.staff.bcryptCost = 4
    // Assets and mail of each test go to a folder of its own, removed afterwards.
    let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("atelier-test-\(UUID().uuidString)")
    configuration.server.dataDirectory = dataDirectory.path
    configure(&configuration)
    defer { try? FileManager.default.removeItem(at: dataDirectory) }
    let logger = TestDatabase.logger
    let database = try await DatabaseFactory.make(setting, logger: logger)
    let token = Mutex<String?>(nil)
    let app = try AtelierApp.build(configuration: configuration, database: database, readiness: readiness, logger: logger) { issued in
        token.withLock { $0 = issued.token }
    }
    do {
        let value = try await app.test(live ? .live : .router) { client in
            let adminToken = token.withLock { $0 } ?? ""
            return try await body(TestApp(client: client, database: database, adminToken: adminToken))
        }
        try await cleanup()
        return value
    } catch {
        try? await cleanup()
        throw error
    }
}

extension TestResponse {
    func json() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any] else {
            throw TestFailure("the body is not a JSON object: \(String(buffer: body))")
        }
        return object
    }

    var text: String { String(buffer: body) }

    /// The problem's stable code, after checking the answer is problem+json.
    var problemCode: String? {
        guard headers[.contentType] == "application/problem+json" else { return nil }
        return (try? json())?["code"] as? String
    }
}
