import Atelier
@testable import AtelierServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite struct OperationsTests {
    @Test func livenessAndReadinessAnswerOK() async throws {
        try await withApp { app in
            let live = try await app.send(.get, "/health/live")
            #expect(live.status == .ok)
            #expect(try live.json()["status"] as? String == "ok")
            let ready = try await app.send(.get, "/health/ready")
            #expect(ready.status == .ok)
            #expect((try ready.json()["checks"] as? [String: String])?["database"] == "ok")
        }
    }

    @Test func aDrainingNodeIsUnreadyButServesThenClosesItsConnections() async throws {
        let readiness = Readiness()
        try await withApp(readiness: readiness) { app in
            #expect(try await app.send(.get, "/health/ready").status == .ok)
            readiness.startDraining()
            let ready = try await app.send(.get, "/health/ready")
            #expect(ready.status == .serviceUnavailable)
            #expect(try ready.json()["code"] as? String == "not_ready")
            // Requests are still served, on connections kept open.
            let products = try await app.send(.get, "/products?limit=1")
            #expect(products.status == .ok)
            #expect(products.headers[.connection] == nil)
            // Once stopping, each answer tells an HTTP/1.1 client to close its connection after it.
            readiness.startStopping()
            let live = try await app.send(.get, "/health/live")
            #expect(live.status == .ok)
            #expect(live.headers[.connection] == "close")
        }
    }

    @Test func servesTheContractAsJSONAndYAMLAndAReferencePage() async throws {
        try await withApp { app in
            let json = try await app.send(.get, "/openapi.json")
            #expect(json.status == .ok)
            #expect(json.headers[.contentType] == "application/json")
            let document = try json.json()
            #expect(document["openapi"] as? String == "3.1.0")
            let paths = try #require(document["paths"] as? [String: Any])
            #expect(paths["/admin/api-keys"] != nil)
            // Quoted YAML keys stay strings, plain numbers become numbers.
            let limit = ((document["components"] as? [String: Any])?["parameters"] as? [String: Any])?["Limit"] as? [String: Any]
            #expect((limit?["schema"] as? [String: Any])?["maximum"] as? Int == 100)

            let yaml = try await app.send(.get, "/openapi.yaml")
            #expect(yaml.status == .ok)
            #expect(yaml.text.hasPrefix("openapi: 3.1.0"))

            let docs = try await app.send(.get, "/docs")
            #expect(docs.status == .ok)
            #expect(docs.headers[.contentType] == "text/html; charset=utf-8")
            #expect(docs.text.contains("/admin/api-keys"))
            #expect(docs.text.contains("createApiKey"))
        }
    }

    @Test func everyAnswerCarriesARequestIdAndTheCallersIsReused() async throws {
        try await withApp { app in
            let generated = try await app.send(.get, "/health/live")
            #expect(generated.headers[.requestID]?.hasPrefix("req_") == true)
            let reused = try await app.send(.get, "/health/live", headers: [.requestID: "trace-123.abc"])
            #expect(reused.headers[.requestID] == "trace-123.abc")
            // Unsafe ids are replaced, not echoed.
            let unsafe = try await app.send(.get, "/nowhere", headers: [.requestID: "<script>"])
            #expect(unsafe.headers[.requestID]?.hasPrefix("req_") == true)
            #expect(try unsafe.json()["requestId"] as? String == unsafe.headers[.requestID])
        }
    }

    @Test func metricsCountRequestsPerRouteTemplateAndStatus() async throws {
        try await withApp { app in
            try await app.send(.get, "/health/live")
            try await app.send(.get, "/admin/api-keys/key_whatever")
            try await app.send(.get, "/no/such/route")
            let metrics = try await app.send(.get, "/metrics")
            #expect(metrics.status == .ok)
            let text = metrics.text
            #expect(text.contains(#"atelier_http_requests_total{method="GET",route="/health/live",status="200"} 1"#))
            #expect(text.contains(#"route="/admin/api-keys/{keyId}",status="401""#))
            #expect(text.contains(#"route="unmatched",status="404""#))
            #expect(text.contains("atelier_http_request_duration_seconds_bucket"))
            #expect(text.contains(#"atelier_jobs{kind="preview.render",state="queued"} 0"#))
            #expect(text.contains("atelier_report_entries_unfolded 0") && text.contains("atelier_privacy_pending_erasures 0"))
        }
    }

    @Test func securityHeadersAreOnEveryAnswer() async throws {
        try await withApp { app in
            for uri in ["/health/live", "/docs", "/missing"] {
                let response = try await app.send(.get, uri)
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
                #expect(response.headers[.xFrameOptions] == "DENY")
                #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
            }
        }
    }
}
