import Atelier
@testable import AtelierServer
import AtelierTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import SQLKit
import Testing

@Suite struct ProductDeletionTests {
    func productId(_ app: TestApp, slug: String) async throws -> String {
        let product = try await app.database.withConnection { db in try await ProductStore(shopCurrency: "USD").find(slug, on: db) }
        return try #require(product).id
    }

    func templateVersions(_ app: TestApp, _ id: String) async throws -> [Int] {
        let listed = try await app.send(.get, "/admin/products/\(id)/templates", token: app.adminToken)
        return ((try listed.json()["items"] as? [[String: Any]]) ?? []).compactMap { $0["version"] as? Int }
    }

    @Test func aProductAnOrderUsesIsKeptWithItsTemplatesAndAnUnusedOneIsDeleted() async throws {
        try await withApp(configure: { $0.server.seedDemoCatalog = true }) { app in
            let orderId = try await PrivacyEndpointTests().buy(app, customer: CheckoutEndpointTests.checkoutBody, text: "Hello", image: nil)
            let tee = try await productId(app, slug: "custom-printed-tee")
            let versions = try await templateVersions(app, tee)
            #expect(!versions.isEmpty)

            let refused = try await app.send(.delete, "/admin/products/\(tee)", token: app.adminToken)
            #expect(refused.status == .conflict, "\(refused.text)")
            #expect(refused.problemCode == "product_in_use")
            let problem = try refused.json()
            #expect(problem["orders"] as? Int == 1 && problem["checkouts"] as? Int == 0 && problem["carts"] as? Int == 0)
            let detail = problem["detail"] as? String ?? ""
            #expect(detail.hasPrefix("1 order uses this product") && detail.contains("archive"), "\(detail)")

            // Nothing was removed: the product, every template version (also publicly) and the order read as before.
            #expect(try await app.send(.get, "/admin/products/\(tee)", token: app.adminToken).status == .ok)
            #expect(try await templateVersions(app, tee) == versions)
            for version in versions {
                #expect(try await app.send(.get, "/products/custom-printed-tee/templates/\(version)").status == .ok)
            }
            let order = try await app.send(.get, "/admin/orders/\(orderId)", token: app.adminToken)
            #expect(order.status == .ok, "\(order.text)")
            let lines = (try order.json()["order"] as? [String: Any])?["lines"] as? [[String: Any]]
            #expect(lines?.first?["productId"] as? String == tee)
            #expect(lines?.first?["templateVersion"] as? Int == versions.last)

            // Archiving is the way out of the catalog; the archived product still cannot be deleted.
            #expect(try await app.send(.post, "/admin/products/\(tee)/archive", token: app.adminToken).status == .ok)
            #expect(try await app.send(.delete, "/admin/products/\(tee)", token: app.adminToken).problemCode == "product_in_use")
            #expect(try await templateVersions(app, tee) == versions)

            // A product nothing names is deleted with its template versions.
            let box = try await productId(app, slug: "engraved-wooden-keepsake-box")
            #expect(try await app.send(.delete, "/admin/products/\(box)", token: app.adminToken).status == .noContent)
            #expect(try await app.send(.get, "/admin/products/\(box)", token: app.adminToken).status == .notFound)
            let left = try await app.database.withConnection { db in
                try await db.raw("SELECT COUNT(*) AS n FROM product_templates WHERE product_id = \(bind: box)").first(decodingColumn: "n", as: Int.self)
            }
            #expect(left == 0)
            #expect(try await app.send(.delete, "/admin/products/\(box)", token: app.adminToken).status == .notFound)
        }
    }

    @Test func aProductInACartOrAnOpenCheckoutIsKept() async throws {
        try await withApp(configure: { $0.server.seedDemoCatalog = true }) { app in
            let key = try await CheckoutEndpointTests().cart(app)
            let figurine = try await productId(app, slug: "3d-printed-figurine")
            let inCart = try await app.send(.delete, "/admin/products/\(figurine)", token: app.adminToken)
            #expect(inCart.problemCode == "product_in_use")
            #expect((try inCart.json()["detail"] as? String)?.hasPrefix("1 cart uses this product") == true)

            let started = try await CheckoutEndpointTests().checkout(app, key: key, idempotencyKey: "k1")
            #expect(started.status == .created, "\(started.text)")
            let inCheckout = try await app.send(.delete, "/admin/products/\(figurine)", token: app.adminToken)
            #expect(inCheckout.problemCode == "product_in_use")
            let problem = try inCheckout.json()
            #expect(problem["checkouts"] as? Int == 1 && problem["carts"] as? Int == 1 && problem["orders"] as? Int == 0)
            #expect((problem["detail"] as? String)?.hasPrefix("1 checkout, 1 cart use this product") == true)
            #expect(try await app.send(.get, "/admin/products/\(figurine)", token: app.adminToken).status == .ok)
        }
    }
}
