import Atelier
@testable import AtelierServer
import AtelierTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PropertyBased
import Testing

@Suite struct CartEndpointTests {
    /// A valid tee session: XL navy with chest text (1900 + 200 + 300).
    func teeSession(_ app: TestApp, text: String = "Ada") async throws -> String {
        let created = try await app.send(.post, "/sessions", json: #"""
            {"product": "custom-printed-tee", "selection": {"size": "xl", "colour": "navy"},
             "zones": {"chest_text": {"text": {"text": "\#(text)", "font": "Inter"}}}}
            """#)
        #expect(created.status == .created, "\(created.text)")
        return try created.json()["id"] as! String
    }

    func amount(_ value: Any?) -> Int? { (value as? [String: Any])?["amount"] as? Int }

    @Test func aShopperBuildsACartByCookieOrHeaderAndGetsAFullQuote() async throws {
        try await withApp(configure: { $0.server.seedDemoCatalog = true }) { app in
            // No cart yet: an empty answer, no key handed out.
            let empty = try await app.send(.get, "/cart")
            #expect(empty.status == .ok)
            #expect(try empty.json()["id"] == nil)
            #expect(empty.headers[.sessionKey] == nil && empty.headers[.setCookie] == nil)
            #expect(empty.headers[.cacheControl] == "no-store")
            #expect(try await app.send(.post, "/cart/quote", json: #"{"destination": {"country": "US"}}"#).problemCode == "cart_empty")

            let session = try await teeSession(app)
            let added = try await app.send(.post, "/cart/items", json: #"{"sessionId": "\#(session)", "quantity": 2}"#)
            #expect(added.status == .created, "\(added.text)")
            let key = try #require(added.headers[.sessionKey])
            let cookie = try #require(added.headers[.setCookie])
            #expect(cookie.hasPrefix("atelier_session=\(key);") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"))
            var cart = try added.json()
            var lines = try #require(cart["lines"] as? [[String: Any]])
            #expect(lines.count == 1)
            #expect(amount((lines[0]["unitPrice"] as? [String: Any])?["total"]) == 2400)
            #expect(amount((lines[0]["unitPrice"] as? [String: Any])?["customizationSurcharges"]) == 300)
            #expect(amount(lines[0]["lineTotal"]) == 4800)
            #expect(lines[0]["sku"] as? String == "XL-NVY")
            #expect(cart["checkoutReady"] as? Bool == true)

            // The same session again merges (200, no new key); the cookie opens the same cart.
            let again = try await app.send(.post, "/cart/items", json: #"{"sessionId": "\#(session)"}"#, headers: [.cookie: "theme=dark; atelier_session=\(key)"])
            #expect(again.status == .ok)
            #expect(again.headers[.sessionKey] == nil)
            cart = try again.json()
            #expect((cart["lines"] as? [[String: Any]])?.first?["quantity"] as? Int == 3)

            // A product without required zones goes in by selection.
            let figurine = try await app.send(.post, "/cart/items", json: #"""
                {"product": "3d-printed-figurine", "selection": {"size": "large", "material": "resin", "colour": "red"}}
                """#, headers: [.sessionKey: key])
            #expect(figurine.status == .created, "\(figurine.text)")
            cart = try figurine.json()
            lines = try #require(cart["lines"] as? [[String: Any]])
            #expect(lines.count == 2)
            #expect(amount(lines[1]["lineTotal"]) == 2500 + 3000 + 1500)
            // Ship dates: the figurine takes 4 + 5 days, the tee 3; the cart shows the latest.
            #expect(lines[1]["leadTimeDays"] as? Int == 9)
            #expect(cart["expectedShipDate"] as? String == lines[1]["expectedShipDate"] as? String)
            #expect(amount(cart["subtotal"]) == 3 * 2400 + 7000)

            let figurineLine = lines[1]["id"] as! String
            let patched = try await app.send(.patch, "/cart/items/\(figurineLine)", json: #"{"quantity": 2}"#, headers: [.sessionKey: key])
            #expect(patched.status == .ok)
            #expect(amount(try patched.json()["subtotal"]) == 3 * 2400 + 2 * 7000)

            // Quote to California: standard shipping is free above 75.00; 7.25 % tax on goods only.
            let quote = try await app.send(.post, "/cart/quote", json: #"{"destination": {"country": "US", "region": "CA"}}"#,
                                           headers: [.sessionKey: key])
            #expect(quote.status == .ok, "\(quote.text)")
            let q = try quote.json()
            let subtotal = 3 * 2400 + 2 * 7000
            #expect(amount(q["subtotal"]) == subtotal)
            #expect((q["shipping"] as? [String: Any])?["method"] as? String == "standard")
            #expect((q["shipping"] as? [String: Any])?["waived"] as? Bool == true)
            let tax = (subtotal * 725 + 5000) / 10_000
            #expect(amount(q["taxTotal"]) == tax)
            #expect(amount(q["total"]) == subtotal + tax)
            #expect((q["taxLines"] as? [[String: Any]])?.first?["rate"] as? String == "7.25")
            #expect(((q["shippingOptions"] as? [[String: Any]]) ?? []).compactMap { $0["method"] as? String } == ["standard", "express"])
            // New York taxes shipping too, and express costs 15.00 + 2.00 per item.
            let express = try await app.send(.post, "/cart/quote", json: #"{"destination": {"country": "US", "region": "NY"}, "shippingMethod": "express"}"#,
                                             headers: [.sessionKey: key]).json()
            let shipping = 1500 + 5 * 200
            #expect(amount((express["shipping"] as? [String: Any])?["amount"]) == shipping)
            // Rounded once per base: goods, then shipping.
            let nyTax = (subtotal * 88_750 + 500_000) / 1_000_000 + (shipping * 88_750 + 500_000) / 1_000_000
            #expect(amount(express["taxTotal"]) == nyTax)
            #expect(amount(express["total"]) == subtotal + shipping + nyTax)
            // Express does not ship abroad; an unknown method is named as such.
            let abroad = try await app.send(.post, "/cart/quote", json: #"{"destination": {"country": "JP"}, "shippingMethod": "express"}"#,
                                            headers: [.sessionKey: key])
            #expect(abroad.problemCode == "shipping_unavailable")
            let unknown = try await app.send(.post, "/cart/quote", json: #"{"destination": {"country": "US"}, "shippingMethod": "teleport"}"#,
                                             headers: [.sessionKey: key])
            #expect(unknown.problemCode == "unknown_shipping_method")
            // Weight-based elsewhere: 3 tees (540 g) and 2 figurines (240 g) fit the first bracket.
            let japan = try await app.send(.post, "/cart/quote", json: #"{"destination": {"country": "JP"}}"#, headers: [.sessionKey: key]).json()
            #expect(amount((japan["shipping"] as? [String: Any])?["amount"]) == 1800)

            let removed = try await app.send(.delete, "/cart/items/\(figurineLine)", headers: [.sessionKey: key])
            #expect((try removed.json()["lines"] as? [[String: Any]])?.count == 1)
            #expect(try await app.send(.delete, "/cart/items/\(figurineLine)", headers: [.sessionKey: key]).status == .notFound)
            let cleared = try await app.send(.delete, "/cart", headers: [.sessionKey: key])
            #expect((try cleared.json()["lines"] as? [[String: Any]])?.isEmpty == true)
            #expect(try cleared.json()["checkoutReady"] as? Bool == false)
        }
    }

    @Test func invalidSessionsAndSelectionsAreRefusedWithEveryError() async throws {
        try await withApp(configure: { $0.server.seedDemoCatalog = true }) { app in
            let bad = try await app.send(.post, "/sessions", json: #"{"product": "custom-printed-tee", "selection": {"size": "xl"}}"#).json()
            let refused = try await app.send(.post, "/cart/items", json: #"{"sessionId": "\#(bad["id"] as! String)"}"#)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.problemCode == "session_invalid")
            #expect(((try refused.json()["errors"] as? [[String: Any]]) ?? []).map { $0["code"] as? String } == ["missing_dimension"])
            #expect(refused.headers[.sessionKey] == nil)  // nothing was created

            let box = try await app.send(.post, "/cart/items", json: #"{"product": "build-your-own-gift-box"}"#)
            #expect(box.problemCode == "selection_invalid")
            #expect(Set(((try box.json()["errors"] as? [[String: Any]]) ?? []).compactMap { $0["pointer"] as? String })
                == ["/zones/contents", "/zones/ribbon"])
            for body in [#"{}"#, #"{"sessionId": "ses_x", "product": "custom-printed-tee"}"#,
                         #"{"sessionId": "ses_x", "selection": {"size": "m"}}"#] {
                #expect(try await app.send(.post, "/cart/items", json: body).problemCode == "validation_failed", "\(body)")
            }
            #expect(try await app.send(.post, "/cart/items", json: #"{"sessionId": "ses_00000000000000000000000000"}"#).status == .notFound)
            #expect(try await app.send(.post, "/cart/items", json: #"{"product": "nothing-here"}"#).status == .notFound)
            #expect(try await app.send(.post, "/cart/items", json: #"{"product": "3d-printed-figurine", "quantity": 0}"#).problemCode == "quantity_limit")
            #expect(try await app.send(.post, "/cart/quote", json: #"{"destination": {"country": "usa"}}"#).problemCode == "validation_failed")
        }
    }

    @Test func limitsAreConfigurableAnd422() async throws {
        try await withApp(configure: {
            $0.server.seedDemoCatalog = true
            $0.commerce.cartLimits = CartLimits(maxQuantityPerLine: 3, maxLines: 1, maxUnits: 4)
        }) { app in
            let figurine = #"{"product": "3d-printed-figurine", "selection": {"size": "small", "material": "pla", "colour": "red"}, "quantity": QTY}"#
            let tooMany = try await app.send(.post, "/cart/items", json: figurine.replacingOccurrences(of: "QTY", with: "4"))
            #expect(tooMany.problemCode == "quantity_limit")
            let first = try await app.send(.post, "/cart/items", json: figurine.replacingOccurrences(of: "QTY", with: "3"))
            let key = try #require(first.headers[.sessionKey])
            #expect(try first.json()["limits"] as? [String: Int] == ["maxQuantityPerLine": 3, "maxLines": 1, "maxUnits": 4])
            let merged = try await app.send(.post, "/cart/items", json: figurine.replacingOccurrences(of: "QTY", with: "1"), headers: [.sessionKey: key])
            #expect(merged.problemCode == "quantity_limit")
            let second = try await app.send(.post, "/cart/items", json: #"{"product": "3d-printed-figurine", "selection": {"size": "small", "material": "pla", "colour": "grey"}}"#,
                                            headers: [.sessionKey: key])
            #expect(second.problemCode == "cart_line_limit")
        }
    }

    @Test func twoBrowsersNeverSeeEachOthersCart() async throws {
        try await withApp(configure: { $0.server.seedDemoCatalog = true }) { app in
            let alice = try await app.send(.post, "/cart/items", json: #"{"sessionId": "\#(try await teeSession(app, text: "Alice"))"}"#)
            let bob = try await app.send(.post, "/cart/items", json: #"{"sessionId": "\#(try await teeSession(app, text: "Bob"))"}"#)
            let aliceKey = try #require(alice.headers[.sessionKey]), bobKey = try #require(bob.headers[.sessionKey])
            #expect(aliceKey != bobKey)
            func texts(_ key: String) async throws -> [String] {
                let lines = try await app.send(.get, "/cart", headers: [.cookie: "atelier_session=\(key)"]).json()["lines"] as? [[String: Any]] ?? []
                return lines.compactMap { (($0["zones"] as? [String: Any])?["chest_text"] as? [String: Any]).flatMap { ($0["text"] as? [String: Any])?["text"] as? String } }
            }
            #expect(try await texts(aliceKey) == ["Alice"])
            #expect(try await texts(bobKey) == ["Bob"])
            let aliceLine = try #require((try alice.json()["lines"] as? [[String: Any]])?.first?["id"] as? String)
            #expect(try await app.send(.patch, "/cart/items/\(aliceLine)", json: #"{"quantity": 5}"#, headers: [.sessionKey: bobKey]).status == .notFound)
            #expect(try await app.send(.delete, "/cart/items/\(aliceLine)", headers: [.sessionKey: bobKey]).status == .notFound)
            #expect(try await app.send(.delete, "/cart/items/\(aliceLine)").status == .notFound)
            #expect(try await texts(aliceKey) == ["Alice"])
            // Guessed, unknown and malformed keys open nothing; an absurdly long one is refused.
            #expect(try await app.send(.get, "/cart", headers: [.sessionKey: String(repeating: "k", count: 201)]).problemCode == "invalid_session_key")
            #expect(try await app.send(.get, "/cart", headers: [.sessionKey: "guess"]).json()["id"] == nil)
            let unknown = try await app.send(.get, "/cart", headers: [.sessionKey: "cs_" + String(repeating: "x", count: 43)]).json()
            #expect(unknown["id"] == nil)
        }
    }

    @Test func aPriceChangedByAnAdminShowsOnTheNextRead() async throws {
        try await withApp(configure: { $0.server.seedDemoCatalog = true }) { app in
            let added = try await app.send(.post, "/cart/items", json: #"{"sessionId": "\#(try await teeSession(app))"}"#)
            let key = try #require(added.headers[.sessionKey])
            let productId = try #require((try added.json()["lines"] as? [[String: Any]])?.first?["productId"] as? String)
            // Read once so that this node keeps the product in memory, then change it through the admin API.
            #expect(try await app.send(.get, "/cart", headers: [.sessionKey: key]).status == .ok)
            var product = try await app.send(.get, "/admin/products/\(productId)", token: app.adminToken).json()
            var definition = product["definition"] as! [String: Any]
            definition["basePrice"] = ["amount": 2100, "currency": "USD"]
            let body = String(decoding: try JSONSerialization.data(withJSONObject: definition), as: UTF8.self)
            let replaced = try await app.send(.put, "/admin/products/\(productId)", token: app.adminToken, json: body)
            #expect(replaced.status == .ok, "\(replaced.text)")
            let cart = try await app.send(.get, "/cart", headers: [.sessionKey: key]).json()
            let line = try #require((cart["lines"] as? [[String: Any]])?.first)
            let flags = line["flags"] as? [[String: Any]] ?? []
            #expect(flags.first?["code"] as? String == "price_changed")
            #expect(amount(flags.first?["previousUnitPrice"]) == 2400 && amount(flags.first?["currentUnitPrice"]) == 2600)
            #expect(cart["checkoutReady"] as? Bool == true)

            // Deactivating the chosen colour blocks the cart.
            var dimensions = definition["dimensions"] as! [[String: Any]]
            var values = dimensions[1]["values"] as! [[String: Any]]
            values[2]["active"] = false
            dimensions[1]["values"] = values
            definition["dimensions"] = dimensions
            let body2 = String(decoding: try JSONSerialization.data(withJSONObject: definition), as: UTF8.self)
            #expect(try await app.send(.put, "/admin/products/\(productId)", token: app.adminToken, json: body2).status == .ok)
            product = try await app.send(.get, "/cart", headers: [.sessionKey: key]).json()
            #expect(((product["lines"] as? [[String: Any]])?.first?["flags"] as? [[String: Any]])?.first?["code"] as? String == "variant_unavailable")
            #expect(product["checkoutReady"] as? Bool == false)
        }
    }

    @Test func pricesSentByAClientNeverChangeATotal() async throws {
        try await withApp(configure: { $0.server.seedDemoCatalog = true }) { app in
            let figurine = #""product": "3d-printed-figurine", "selection": {"size": "small", "material": "pla", "colour": "red"}"#
            let first = try await app.send(.post, "/cart/items", json: "{\(figurine)}")
            let key = try #require(first.headers[.sessionKey])
            let fields = ["unitPrice", "price", "total", "lineTotal", "amount", "subtotal"]
            await propertyCheck(count: 25, input: Gen.int(in: 0..<fields.count), Gen.int64(in: -1_000_000...1_000_000)) { field, value in
                let name = fields[field]
                let add = try await app.send(.post, "/cart/items", json: "{\(figurine), \"\(name)\": \(value)}", headers: [.sessionKey: key])
                #expect(add.status == .badRequest)
                let priced = #"{"\#(name)": {"amount": \#(value), "currency": "USD"}, "destination": {"country": "US"}}"#
                #expect(try await app.send(.post, "/cart/quote", json: priced, headers: [.sessionKey: key]).status == .badRequest)
                let cart = try await app.send(.get, "/cart", headers: [.sessionKey: key]).json()
                #expect(amount(cart["subtotal"]) == 2500)
                let quote = try await app.send(.post, "/cart/quote", json: #"{"destination": {"country": "US", "region": "OR"}}"#,
                                               headers: [.sessionKey: key]).json()
                #expect(amount(quote["total"]) == 2500 + 500 + 100)
            }
        }
    }

    @Test func adminsManageShippingMethodsAndTaxRatesAndOthersOnlyRead() async throws {
        try await withApp { app in
            let viewer = try await app.makeKey(.viewer).token
            let operations = try await app.makeKey(.operations).token
            let method = #"""
                {"code": "courier", "name": "Courier", "position": 2,
                 "rates": [{"country": "DE", "baseAmount": 990, "weightBrackets": [{"upToGrams": 1000, "amount": 0}, {"upToGrams": 5000, "amount": 500}]}]}
                """#
            #expect(try await app.send(.post, "/admin/shipping-methods", token: operations, json: method).status == .forbidden)
            let created = try await app.send(.post, "/admin/shipping-methods", token: app.adminToken, json: method)
            #expect(created.status == .created, "\(created.text)")
            #expect(try await app.send(.post, "/admin/shipping-methods", token: app.adminToken, json: method).problemCode == "duplicate_code")
            let listed = try await app.send(.get, "/admin/shipping-methods", token: viewer).json()
            #expect((listed["items"] as? [[String: Any]])?.map { $0["code"] as? String } == ["courier"])
            let invalid = try await app.send(.put, "/admin/shipping-methods/courier", token: app.adminToken, json: #"""
                {"code": "other", "name": "Courier", "rates": [{"country": "*", "region": "CA"}, {"country": "DE", "weightBrackets": [{"upToGrams": 9, "amount": 1}, {"upToGrams": 9, "amount": 2}]}]}
                """#)
            #expect(invalid.problemCode == "validation_failed")
            #expect(Set(((try invalid.json()["errors"] as? [[String: Any]]) ?? []).compactMap { $0["code"] as? String })
                == ["code_mismatch", "region_without_country", "not_ascending"])
            let replaced = try await app.send(.put, "/admin/shipping-methods/courier", token: app.adminToken,
                                              json: #"{"code": "courier", "name": "Courier", "active": false, "rates": [{"country": "*", "baseAmount": 1}]}"#)
            #expect(try replaced.json()["active"] as? Bool == false)
            #expect(try await app.send(.get, "/admin/shipping-methods/courier", token: operations).status == .ok)
            #expect(try await app.send(.delete, "/admin/shipping-methods/courier", token: viewer).status == .forbidden)
            #expect(try await app.send(.delete, "/admin/shipping-methods/courier", token: app.adminToken).status == .noContent)
            #expect(try await app.send(.get, "/admin/shipping-methods/courier", token: app.adminToken).status == .notFound)

            let rate = try await app.send(.post, "/admin/tax-rates", token: app.adminToken,
                                          json: #"{"name": "GST", "country": "CA", "rate": "5", "appliesToShipping": true}"#)
            #expect(rate.status == .created, "\(rate.text)")
            let id = try rate.json()["id"] as! String
            #expect(try await app.send(.post, "/admin/tax-rates", token: app.adminToken,
                                       json: #"{"name": "GST", "country": "CA", "rate": "5"}"#).problemCode == "duplicate_tax_rate")
            #expect(try await app.send(.post, "/admin/tax-rates", token: app.adminToken,
                                       json: #"{"name": "Nothing", "country": "CA", "rate": "0"}"#).problemCode == "validation_failed")
            let pst = try await app.send(.put, "/admin/tax-rates/\(id)", token: app.adminToken,
                                         json: #"{"name": "GST", "country": "CA", "rate": "5.125"}"#).json()
            #expect(pst["rate"] as? String == "5.125")
            #expect((try await app.send(.get, "/admin/tax-rates", token: viewer).json()["items"] as? [[String: Any]])?.count == 1)
            #expect(try await app.send(.post, "/admin/tax-rates", token: viewer, json: #"{"name": "X", "country": "CA", "rate": "1"}"#).status == .forbidden)
            #expect(try await app.send(.delete, "/admin/tax-rates/\(id)", token: app.adminToken).status == .noContent)
            #expect(try await app.send(.get, "/admin/tax-rates/\(id)", token: app.adminToken).status == .notFound)
        }
    }

    @Test func cachedAnswersFollowEveryChangeTheyDependOn() async throws {
        try await withApp(configure: { $0.server.seedDemoCatalog = true }) { app in
            let added = try await app.send(.post, "/cart/items", json: #"""
                {"product": "3d-printed-figurine", "selection": {"size": "small", "material": "pla", "colour": "red"}}
                """#)
            let key = try #require(added.headers[.sessionKey])
            let lineId = try #require((try added.json()["lines"] as? [[String: Any]])?.first?["id"] as? String)
            let oregon = #"{"destination": {"country": "US", "region": "OR"}}"#
            func cart() async throws -> [String: Any] { try await app.send(.get, "/cart", headers: [.sessionKey: key]).json() }
            func quote() async throws -> [String: Any] {
                try await app.send(.post, "/cart/quote", json: oregon, headers: [.sessionKey: key]).json()
            }
            let first = try await app.send(.get, "/cart", headers: [.sessionKey: key])
            let second = try await app.send(.get, "/cart", headers: [.sessionKey: key])
            #expect(first.text == second.text)
            #expect(second.headers[.cacheControl] == "no-store")
            #expect(amount(try await quote()["total"]) == 2500 + 500 + 100)

            // The cart changed: both answers follow.
            _ = try await app.send(.patch, "/cart/items/\(lineId)", json: #"{"quantity": 2}"#, headers: [.sessionKey: key])
            #expect(amount(try await cart()["subtotal"]) == 5000)
            #expect(amount(try await quote()["total"]) == 5000 + 500 + 200)

            // A tax rate for the destination: the quote follows.
            let rate = try await app.send(.post, "/admin/tax-rates", token: app.adminToken, json: #"{"name": "Oregon test", "country": "US", "region": "OR", "rate": "10"}"#)
            #expect(rate.status == .created)
            #expect(amount(try await quote()["taxTotal"]) == 500 + 70)

            // A price changed through another node (straight into the database, so this node's memory has
            // not been told): the stamp read from the database catches it at once.
            let products = ProductStore(shopCurrency: "USD")
            try await app.database.transaction { db in
                var product = try #require(try await products.find("3d-printed-figurine", on: db))
                product.definition.basePrice = 3000
                _ = try await products.replace(id: product.id, with: product.definition, on: db)
            }
            #expect(amount(try await cart()["subtotal"]) == 6000)
            #expect(amount(try await quote()["subtotal"]) == 6000)

            // Stock: the variant sold out through the admin API blocks the cart.
            let productId = try #require((try await cart()["lines"] as? [[String: Any]])?.first?["productId"] as? String)
            let stock = try await app.send(.put, "/admin/products/\(productId)/inventory", token: app.adminToken, json: #"""
                {"items": [{"variant": {"size": "small", "material": "pla", "colour": "red"}, "tracked": true, "onHand": 1}]}
                """#)
            #expect(stock.status == .ok, "\(stock.text)")
            let blocked = try await cart()
            #expect(((blocked["lines"] as? [[String: Any]])?.first?["flags"] as? [[String: Any]])?.first?["code"] as? String == "insufficient_stock")
            #expect(blocked["checkoutReady"] as? Bool == false)
        }
    }
}
