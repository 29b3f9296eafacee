import Atelier
@testable import AtelierServer
import AtelierTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// A region that its country does not have is a 422 wherever it is written, located at its field.
@Suite struct RegionEndpointTests {
    func fieldErrors(_ response: TestResponse) throws -> [String] {
        ((try response.json()["errors"] as? [[String: String]]) ?? []).map { "\($0["pointer"] ?? "") \($0["code"] ?? "")" }
    }

    @Test func unknownRegionsAreRefusedInQuotesCheckoutsAndShopSettings() async throws {
        try await withApp(configure: { $0.server.seedDemoCatalog = true }) { app in
            let quote = try await app.send(.post, "/cart/quote", json: #"{"destination": {"country": "US", "region": "ZZ"}}"#)
            #expect(quote.status == .unprocessableContent && quote.problemCode == "validation_failed")
            #expect(try fieldErrors(quote) == ["/destination/region unknown_region"])

            let checkouts = CheckoutEndpointTests()
            let key = try await checkouts.cart(app)
            let body = CheckoutEndpointTests.checkoutBody.replacingOccurrences(of: #""region": "NY""#, with: #""region": "ZZ""#)
            let checkout = try await checkouts.checkout(app, key: key, idempotencyKey: "region-1", body: body)
            #expect(checkout.status == .unprocessableContent && checkout.problemCode == "validation_failed", "\(checkout.text)")
            #expect(try fieldErrors(checkout) == ["/shippingAddress/region unknown_region"])

            let tax = try await app.send(.post, "/admin/tax-rates", token: app.adminToken,
                                         json: #"{"name": "Nowhere tax", "country": "US", "region": "ZZ", "rate": "5"}"#)
            #expect(tax.status == .unprocessableContent)
            #expect(try fieldErrors(tax) == ["/region unknown_region"])

            let method = try await app.send(.post, "/admin/shipping-methods", token: app.adminToken,
                                            json: #"{"code": "courier", "name": "Courier", "rates": [{"country": "CA", "region": "CA", "baseAmount": 900}]}"#)
            #expect(method.status == .unprocessableContent)
            #expect(try fieldErrors(method) == ["/rates/0/region unknown_region"])

            // Real subdivisions still pass: a province's tax and a quote to it.
            let pst = try await app.send(.post, "/admin/tax-rates", token: app.adminToken,
                                         json: #"{"name": "Ontario HST", "country": "CA", "region": "ON", "rate": "13"}"#)
            #expect(pst.status == .created, "\(pst.text)")
        }
    }
}
