import Atelier
@testable import AtelierServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// Every bad input answers 4xx problem+json with a stable code, never a 5xx.
@Suite struct ErrorHandlingTests {
    @Test func unknownRoutesAnswer404Problem() async throws {
        try await withApp { app in
            for uri in ["/nope", "/admin", "/admin/api-keys/a/b", "/health"] {
                let response = try await app.send(.get, uri, token: app.adminToken)
                #expect(response.status == .notFound, "\(uri)")
                #expect(response.problemCode == "route_not_found", "\(uri)")
            }
        }
    }

    @Test func wrongMethodsAnswer405WithAllow() async throws {
        try await withApp { app in
            let response = try await app.send(.put, "/admin/api-keys", token: app.adminToken)
            #expect(response.status == .methodNotAllowed)
            #expect(response.headers[.allow] == "GET, POST")
            #expect(response.problemCode == "method_not_allowed")
            // A literal path wins over a parameter for every method, as in the router, and `Allow`
            // names only the literal path's methods.
            for method in [HTTPRequest.Method.get, .put, .patch] {
                let bulk = try await app.send(method, "/admin/products/bulk", token: app.adminToken, json: "{}")
                #expect(bulk.status == .methodNotAllowed, "\(method)")
                #expect(bulk.headers[.allow] == "POST")
                #expect(bulk.problemCode == "method_not_allowed")
            }
            let docs = try await app.send(.post, "/openapi.json")
            #expect(docs.status == .methodNotAllowed)
            #expect(docs.headers[.allow] == "GET")
        }
    }

    @Test func malformedJSONIs400() async throws {
        try await withApp { app in
            for body in [#"{"name": "x", "role": "admin""#, "not json", "", "[1,2"] {
                let response = try await app.send(.post, "/admin/api-keys", token: app.adminToken, json: body)
                #expect(response.status == .badRequest, "\(body)")
                #expect(["malformed_json", "bad_request"].contains(response.problemCode ?? ""), "\(body): \(response.text)")
            }
        }
    }

    @Test func wrongTypesMissingAndUnknownFieldsAre400WithAPointer() async throws {
        try await withApp { app in
            let cases: [(String, String)] = [
                (#"{"name": 5, "role": "admin"}"#, "/name"),
                (#"{"name": "x", "role": "superuser"}"#, "/role"),
                (#"{"role": "admin"}"#, "/name"),
                (#"{"name": "x", "role": "admin", "extra": true}"#, ""),
                (#"[]"#, ""),
            ]
            for (body, pointer) in cases {
                let response = try await app.send(.post, "/admin/api-keys", token: app.adminToken, json: body)
                #expect(response.status == .badRequest, "\(body)")
                #expect(response.problemCode == "invalid_body" || response.problemCode == "malformed_json", "\(body): \(response.text)")
                if !pointer.isEmpty {
                    let errors = try response.json()["errors"] as? [[String: Any]]
                    #expect(errors?.first?["pointer"] as? String == pointer, "\(body): \(response.text)")
                }
            }
        }
    }

    @Test func semanticallyInvalidInputIs422WithEveryError() async throws {
        try await withApp { app in
            let response = try await app.send(.post, "/admin/api-keys", token: app.adminToken, json: #"{"name": "   ", "role": "viewer"}"#)
            #expect(response.status == .unprocessableContent)
            #expect(response.problemCode == "validation_failed")
            let errors = try response.json()["errors"] as? [[String: Any]]
            #expect(errors?.first?["pointer"] as? String == "/name")

            let page = try await app.send(.get, "/admin/api-keys?limit=0&cursor=%21%21", token: app.adminToken)
            #expect(page.status == .unprocessableContent)
            let pointers = (try page.json()["errors"] as? [[String: Any]])?.compactMap { $0["pointer"] as? String }
            #expect(pointers == ["/limit", "/cursor"])
        }
    }

    @Test func badQueryParametersAre400() async throws {
        try await withApp { app in
            let response = try await app.send(.get, "/admin/api-keys?limit=many", token: app.adminToken)
            #expect(response.status == .badRequest)
            #expect(response.problemCode != nil)
        }
    }

    @Test func wrongContentTypeIs415() async throws {
        try await withApp { app in
            let response = try await app.send(.post, "/admin/api-keys", token: app.adminToken,
                                              json: #"{"name":"x","role":"admin"}"#, headers: [.contentType: "text/plain"])
            #expect(response.status == .unsupportedMediaType)
            #expect(response.problemCode == "unsupported_media_type")
        }
    }

    @Test func oversizedBodiesAre413AndNothingIsWritten() async throws {
        try await withApp(configure: { $0.server.maxBodyBytes = 2048 }) { app in
            let big = #"{"name":"\#(String(repeating: "x", count: 4000))","role":"admin"}"#
            let response = try await app.send(.post, "/admin/api-keys", token: app.adminToken, json: big)
            #expect(response.status == .contentTooLarge)
            #expect(response.problemCode == "content_too_large")
            let list = try await app.send(.get, "/admin/api-keys", token: app.adminToken)
            #expect((try list.json()["items"] as? [Any])?.count == 1)
        }
    }

    @Test func internalErrorsAnswer500WithoutInternals() throws {
        struct Leaky: Error, CustomStringConvertible { var description: String { "password=hunter2 at /srv/db" } }
        let (problem, isInternal) = ProblemMapper.problem(for: Leaky())
        #expect(isInternal)
        #expect(problem.status == 500)
        let response = ProblemMapper.response(problem, requestID: "req_1")
        #expect(response.headers[.contentType] == "application/problem+json")
        #expect(problem.code.rawValue == "internal_error")
        #expect(!problem.detail.contains("hunter2"))
    }
}

/// NUL cannot be stored or compared by PostgreSQL: input holding it names nothing, and is answered as such.
@Suite struct NULInputTests {
    @Test func inputWithNULIsNotFoundOrEmptyNeverAServerError() async throws {
        try await withApp(configure: { $0.server.seedDemoCatalog = true }) { app in
            let forgedCursor = PageRequest.cursor(for: "prod_\u{0}x")
            let cases: [(HTTPRequest.Method, String, String?, Int)] = [
                (.get, "/products/a%00b", nil, 404),
                (.get, "/products?q=a%00b", nil, 200),
                (.get, "/products?category=a%00b", nil, 200),
                (.get, "/products?cursor=\(forgedCursor)", nil, 200),
                (.get, "/admin/api-keys?cursor=\(forgedCursor)", nil, 200),
                (.get, "/admin/products/a%00b", nil, 404),
                (.delete, "/admin/products/a%00b", nil, 404),
                (.post, "/admin/products/a%00b/archive", nil, 404),
                (.delete, "/admin/categories/a%00b", nil, 404),
                (.get, "/assets/ast_%00", nil, 404),
                (.get, "/sessions/ses_%00", nil, 404),
                (.post, "/sessions", #"{"product": "\u0000tee"}"#, 404),
                (.post, "/products/%00/selection", "{}", 404),
            ]
            for (method, uri, body, status) in cases {
                let response = try await app.send(method, uri, token: app.adminToken, json: body)
                #expect(response.status.code == status, "\(method) \(uri): \(response.status) \(response.text)")
            }
        }
    }
}
