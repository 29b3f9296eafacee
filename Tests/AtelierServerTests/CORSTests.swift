import Atelier
@testable import AtelierServer
import AtelierTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite struct CORSTests {
    @Test func onlyConfiguredOriginsGetCrossOriginAnswersAndPreflights() async throws {
        try await withApp(configure: { $0.server.corsOrigins = ["https://shop.example"] }) { app in
            let origin = HTTPField.Name("Origin")!
            let allowed = try await app.send(.get, "/products", headers: [origin: "https://shop.example"])
            #expect(allowed.headers[.accessControlAllowOrigin] == "https://shop.example")
            #expect(allowed.headers[.accessControlAllowCredentials] == "true")
            #expect(allowed.headers[.accessControlExposeHeaders]?.contains("X-Session-Key") == true)
            #expect(allowed.headers[values: .vary].contains { $0.contains("Origin") })

            let other = try await app.send(.get, "/products", headers: [origin: "https://evil.example"])
            #expect(other.status == .ok)
            #expect(other.headers[.accessControlAllowOrigin] == nil)
            #expect(other.headers[values: .vary].contains { $0.contains("Origin") })

            let preflight = try await app.send(.options, "/cart/items", headers: [
                origin: "https://shop.example", .accessControlRequestMethod: "POST", .accessControlRequestHeaders: "content-type, x-session-key",
            ])
            #expect(preflight.status == .noContent)
            #expect(preflight.headers[.accessControlAllowMethods]?.contains("POST") == true)
            #expect(preflight.headers[.accessControlAllowHeaders]?.contains("X-Session-Key") == true)
            #expect(preflight.headers[.accessControlAllowOrigin] == "https://shop.example")

            // A preflight from an origin that is not allowed gets nothing that would let the browser go on.
            let refused = try await app.send(.options, "/cart/items", headers: [origin: "https://evil.example", .accessControlRequestMethod: "POST"])
            #expect(refused.status == .methodNotAllowed)
            #expect(refused.headers[.accessControlAllowOrigin] == nil)
        }
        // Without configuration: no CORS headers at all.
        try await withApp { app in
            let plain = try await app.send(.get, "/products", headers: [HTTPField.Name("Origin")!: "https://shop.example"])
            #expect(plain.headers[.accessControlAllowOrigin] == nil && plain.headers[values: .vary].allSatisfy { !$0.contains("Origin") })
        }
    }
}
