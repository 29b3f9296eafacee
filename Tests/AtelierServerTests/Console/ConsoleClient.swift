import Atelier
@testable import AtelierServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore

/// A browser's part in console tests: it keeps the console's cookies and posts forms with their tokens.
struct ConsoleClient {
    let app: TestApp
    var cookies: [String: String] = [:]

    init(_ app: TestApp) { self.app = app }

    @discardableResult
    mutating func get(_ path: String) async throws -> TestResponse {
        let response = try await app.send(.get, path, headers: cookieHeader())
        keep(response)
        return response
    }

    @discardableResult
    mutating func post(_ path: String, form: [String: String]) async throws -> TestResponse {
        var headers = cookieHeader()
        headers[.contentType] = "application/x-www-form-urlencoded"
        let body = form.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
        let response = try await app.client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body))
        keep(response)
        return response
    }

    /// A `multipart/form-data` post with fields and one file, as a browser sends a form with a file input.
    @discardableResult
    mutating func post(_ path: String, fields: [String: String], file name: String, filename: String, type: String,
                       bytes: [UInt8]) async throws -> TestResponse {
        let boundary = "----form-\(UUID().uuidString)"
        var body: [UInt8] = []
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(key)\"\r\n\r\n\(value)\r\n".utf8)
        }
        body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\nContent-Type: \(type)\r\n\r\n".utf8)
        body += bytes + Array("\r\n--\(boundary)--\r\n".utf8)
        var headers = cookieHeader()
        headers[.contentType] = "multipart/form-data; boundary=\(boundary)"
        let response = try await app.client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(bytes: body))
        keep(response)
        return response
    }

    /// Signs in through the form, as a browser does; answers the sign-in's response.
    @discardableResult
    mutating func signIn(_ email: String, _ password: String) async throws -> TestResponse {
        let page = try await get("/console/sign-in")
        return try await post("/console/sign-in", form: ["csrf": Self.csrf(in: page.text) ?? "", "email": email, "password": password])
    }

    static func csrf(in html: String) -> String? {
        guard let range = html.range(of: #"name="csrf" value=""#) else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    private func cookieHeader() -> HTTPFields {
        guard !cookies.isEmpty else { return [:] }
        return [.cookie: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")]
    }

    private mutating func keep(_ response: TestResponse) {
        for field in response.headers[values: .setCookie] {
            let pair = field.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(pair[0]), value = pair.count > 1 ? String(pair[1]) : ""
            if value.isEmpty || field.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = value }
        }
    }
}
