import Atelier
@testable import AtelierServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite struct CatalogEndpointTests {
    static let tee = #"""
        {"slug": "tee", "name": "Tee", "basePrice": {"amount": 1900, "currency": "USD"}, "baseLeadTimeDays": 2,
         "dimensions": [{"code": "size", "name": "Size", "values": [
             {"code": "s", "name": "S", "skuFragment": "S"},
             {"code": "xl", "name": "XL", "priceAdjustment": {"amount": 200, "currency": "USD"}, "leadTimeDays": 1, "skuFragment": "XL"}]}],
         "optionSets": [{"code": "wrap", "name": "Gift wrap", "minSelect": 0, "maxSelect": 1,
             "options": [{"code": "paper", "name": "Paper", "surcharge": {"amount": 300, "currency": "USD"}}]}]}
        """#

    static let template = #"""
        {"views": [{"code": "front", "name": "Front", "width": 1000, "height": 1000}],
         "zones": [{"code": "chest", "name": "Chest", "kind": "text", "view": "front", "required": true,
                    "surcharge": {"amount": 300, "currency": "USD"},
                    "geometry": {"x": 100, "y": 100, "width": 300, "height": 100},
                    "text": {"maxLength": 20, "fonts": ["Inter"], "colours": ["#000000"]}}]}
        """#

    func create(_ app: TestApp, _ body: String = tee) async throws -> [String: Any] {
        let response = try await app.send(.post, "/admin/products", token: app.adminToken, json: body)
        #expect(response.status == .created, "\(response.text)")
        return try response.json()
    }

    @Test func aCreatedProductIsPublicWithItsRangesAndHiddenWhenInactive() async throws {
        try await withApp { app in
            let product = try await create(app)
            let id = try #require(product["id"] as? String)
            let range = product["priceRange"] as? [String: [String: Any]]
            #expect(range?["min"]?["amount"] as? Int == 1900)
            #expect(range?["max"]?["amount"] as? Int == 2100)

            let bySlug = try await app.send(.get, "/products/tee")
            #expect(bySlug.status == .ok)
            #expect(try bySlug.json()["id"] as? String == id)
            #expect(try await app.send(.get, "/products/\(id)").status == .ok)

            let list = try await app.send(.get, "/products?limit=10")
            #expect((try list.json()["items"] as? [[String: Any]])?.map { $0["slug"] as? String } == ["tee"])

            var hidden = Self.tee.replacingOccurrences(of: #""slug": "tee","#, with: #""slug": "tee", "active": false,"#)
            hidden = hidden.replacingOccurrences(of: "\"Tee\"", with: "\"Hidden tee\"")
            let replaced = try await app.send(.put, "/admin/products/\(id)", token: app.adminToken, json: hidden)
            #expect(replaced.status == .ok, "\(replaced.text)")
            #expect(try await app.send(.get, "/products/tee").status == .notFound)
            #expect((try await app.send(.get, "/products").json()["items"] as? [Any])?.isEmpty == true)
            // Admins still see it.
            #expect(try await app.send(.get, "/admin/products/\(id)", token: app.adminToken).status == .ok)
            let archived = try await app.send(.post, "/admin/products/\(id)/archive", token: app.adminToken)
            #expect(try archived.json()["archivedAt"] != nil)
        }
    }

    @Test func catalogReadsCarryETagsAnswer304AndChangeAfterAWrite() async throws {
        try await withApp { app in
            let product = try await create(app)
            let id = product["id"] as! String
            let first = try await app.send(.get, "/products/tee")
            let etag = try #require(first.headers[.eTag])
            #expect(first.headers[.cacheControl]?.contains("public") == true)
            let again = try await app.send(.get, "/products/tee", headers: [.ifNoneMatch: etag])
            #expect(again.status == .notModified)
            #expect(again.body.readableBytes == 0)
            #expect(again.headers[.eTag] == etag)
            #expect(try await app.send(.get, "/products/tee", headers: [.ifNoneMatch: "W/\(etag), \"other\""]).status == .notModified)
            #expect(try await app.send(.get, "/products/tee", headers: [.ifNoneMatch: "\"stale\""]).status == .ok)

            let renamed = Self.tee.replacingOccurrences(of: "\"Tee\"", with: "\"Tee, renamed\"")
            #expect(try await app.send(.put, "/admin/products/\(id)", token: app.adminToken, json: renamed).status == .ok)
            let after = try await app.send(.get, "/products/tee", headers: [.ifNoneMatch: etag])
            #expect(after.status == .ok)
            #expect(try after.json()["name"] as? String == "Tee, renamed")
            #expect(after.headers[.eTag] != etag)
        }
    }

    @Test func writesThroughAnotherNodeAreSeenAfterThePollInterval() async throws {
        try await withApp(configure: { $0.server.catalogPollInterval = .milliseconds(50) }) { app in
            _ = try await create(app)
            let before = try await app.send(.get, "/products/tee")
            // Another node's write: straight into the shared database, bypassing this node's edge.
            try await app.database.transaction { db in
                let store = ProductStore(shopCurrency: "USD")
                var product = try await store.find("tee", on: db)!
                product.definition.name = "Changed elsewhere"
                _ = try await store.replace(id: product.id, with: product.definition, on: db)
            }
            try await Task.sleep(for: .milliseconds(300))
            let after = try await app.send(.get, "/products/tee")
            #expect(try after.json()["name"] as? String == "Changed elsewhere")
            #expect(after.headers[.eTag] != before.headers[.eTag])
        }
    }

    @Test func everyProblemOfADefinitionIsAnsweredAt422WithPointers() async throws {
        try await withApp { app in
            let bad = #"""
                {"slug": "Bad Slug", "name": "x", "basePrice": {"amount": 100, "currency": "EUR"}, "category": "nope",
                 "dimensions": [{"code": "size", "name": "Size", "values": [{"code": "s", "name": "S"}, {"code": "s", "name": "S2"}]}],
                 "exclusions": [{"colour": "red"}],
                 "optionSets": [{"code": "wrap", "name": "Wrap", "minSelect": 2, "maxSelect": 1, "options": [{"code": "a", "name": "A"}]}]}
                """#
            let response = try await app.send(.post, "/admin/products", token: app.adminToken, json: bad)
            #expect(response.status == .unprocessableContent)
            let errors = (try response.json()["errors"] as? [[String: String]]) ?? []
            let found = Set(errors.map { "\($0["code"]!) \($0["pointer"]!)" })
            for expected in [
                "invalid_slug /slug", "currency_mismatch /basePrice/currency", "unknown_category /category",
                "duplicate_code /dimensions/0/values/1/code", "unknown_dimension /exclusions/0/colour",
                "min_exceeds_max /optionSets/0/minSelect",
            ] {
                #expect(found.contains(expected), "missing \(expected) in \(found)")
            }
            #expect((try await app.send(.get, "/admin/products", token: app.adminToken).json()["items"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func templatesAreVersionedAndOldVersionsStayReadable() async throws {
        try await withApp { app in
            let id = try await create(app)["id"] as! String
            let v1 = try await app.send(.post, "/admin/products/\(id)/templates", token: app.adminToken, json: Self.template)
            #expect(v1.status == .created, "\(v1.text)")
            #expect(try v1.json()["version"] as? Int == 1)
            let edited = Self.template.replacingOccurrences(of: #""maxLength": 20"#, with: #""maxLength": 12"#)
            let v2 = try await app.send(.post, "/admin/products/\(id)/templates", token: app.adminToken, json: edited)
            #expect(try v2.json()["version"] as? Int == 2)

            let old = try await app.send(.get, "/products/tee/templates/1")
            let oldZone = ((try old.json()["definition"] as? [String: Any])?["zones"] as? [[String: Any]])?.first
            #expect((oldZone?["text"] as? [String: Any])?["maxLength"] as? Int == 20)
            let product = try await app.send(.get, "/products/tee").json()
            #expect((product["template"] as? [String: Any])?["version"] as? Int == 2)
            #expect(try await app.send(.get, "/products/tee/templates/3").status == .notFound)

            let broken = Self.template.replacingOccurrences(of: #""Inter""#, with: #""Wingdings""#)
                .replacingOccurrences(of: #""x": 100"#, with: #""x": 900"#)
            let rejected = try await app.send(.post, "/admin/products/\(id)/templates", token: app.adminToken, json: broken)
            #expect(rejected.status == .unprocessableContent)
            let codes = Set(((try rejected.json()["errors"] as? [[String: String]]) ?? []).map { $0["code"]! })
            #expect(codes == ["unknown_font", "zone_outside_view"])
            let versions = try await app.send(.get, "/admin/products/\(id)/templates", token: app.adminToken)
            #expect((try versions.json()["items"] as? [Any])?.count == 2)
        }
    }

    @Test func selectionsArePricedServerSideAndStockShowsOnlyAvailability() async throws {
        try await withApp { app in
            let id = try await create(app)["id"] as! String
            let valid = try await app.send(.post, "/products/tee/selection",
                                           json: #"{"selection": {"size": "xl"}, "options": {"wrap": ["paper"]}}"#)
            let check = try valid.json()
            #expect(check["valid"] as? Bool == true)
            #expect((check["unitPrice"] as? [String: Any])?["amount"] as? Int == 1900 + 200 + 300)
            #expect(check["leadTimeDays"] as? Int == 3)
            #expect(check["sku"] as? String == "XL")

            let invalid = try await app.send(.post, "/products/tee/selection", json: #"{"selection": {"size": "xxl", "fit": "slim"}}"#).json()
            #expect(invalid["valid"] as? Bool == false)
            let codes = Set(((invalid["errors"] as? [[String: String]]) ?? []).map { $0["code"]! })
            #expect(codes == ["unknown_value", "unknown_dimension"])

            let stock = try await app.send(.put, "/admin/products/\(id)/inventory", token: app.adminToken,
                                           json: #"{"items": [{"variant": {"size": "xl"}, "tracked": true, "onHand": 0}]}"#)
            #expect(stock.status == .ok, "\(stock.text)")
            let shown = try await app.send(.get, "/products/tee")
            #expect(!shown.text.contains("onHand"))
            let soldOut = (try shown.json()["soldOut"] as? [String: Any])?["variants"] as? [[String: String]]
            #expect(soldOut == [["size": "xl"]])
            #expect(try shown.json()["available"] as? Bool == true)
            let xl = try await app.send(.post, "/products/tee/selection", json: #"{"selection": {"size": "xl"}}"#).json()
            #expect(((xl["errors"] as? [[String: String]]) ?? []).map { $0["code"]! } == ["sold_out"])
        }
    }

    @Test func nullsInBodiesAreRefused() async throws {
        try await withApp { app in
            let response = try await app.send(.post, "/products/tee/selection", json: #"{"selection": {}, "options": null}"#)
            #expect(response.status == .badRequest)
            #expect((try response.json()["errors"] as? [[String: String]])?.first?["pointer"] == "/options")
            // A "null" inside a string is just text.
            let text = try await app.send(.post, "/admin/categories", token: app.adminToken, json: #"{"slug": "nulls", "name": "null"}"#)
            #expect(text.status == .created)
        }
    }

    @Test func bulkUploadIsAllOrNothingInJSONAndCSV() async throws {
        try await withApp { app in
            let good = #"{"product": \#(Self.tee), "template": \#(Self.template)}"#
            let bad = #"{"product": {"slug": "mug", "name": "Mug", "basePrice": {"amount": -5, "currency": "USD"}}}"#
            let rejected = try await app.send(.post, "/admin/products/bulk", token: app.adminToken, json: #"{"products": [\#(good), \#(bad)]}"#)
            #expect(rejected.status == .unprocessableContent)
            let pointers = ((try rejected.json()["errors"] as? [[String: String]]) ?? []).map { $0["pointer"]! }
            #expect(pointers == ["/products/1/basePrice/amount"])
            #expect((try await app.send(.get, "/admin/products", token: app.adminToken).json()["items"] as? [Any])?.isEmpty == true)

            let accepted = try await app.send(.post, "/admin/products/bulk", token: app.adminToken, json: #"{"products": [\#(good)]}"#)
            #expect(accepted.status == .ok, "\(accepted.text)")
            #expect(try accepted.json()["templatesPublished"] as? Int == 1)

            let csv = "slug,name,base_price,dimension,value,price_adjustment\nmug,Mug,1200,size,small,0\nmug,,,size,large,250\ncup,Cup,x,,,\n"
            let badCSV = try await app.send(.post, "/admin/products/bulk", token: app.adminToken, json: csv,
                                            headers: [.contentType: "text/csv"])
            #expect(badCSV.status == .unprocessableContent)
            #expect(((try badCSV.json()["errors"] as? [[String: String]]) ?? []).map { $0["pointer"]! } == ["/rows/4/base_price"])
            let goodCSV = try await app.send(.post, "/admin/products/bulk", token: app.adminToken,
                                             json: csv.replacingOccurrences(of: "cup,Cup,x", with: "cup,Cup,800"),
                                             headers: [.contentType: "text/csv"])
            #expect(goodCSV.status == .ok, "\(goodCSV.text)")
            let mug = try await app.send(.get, "/products/mug").json()
            #expect((mug["priceRange"] as? [String: [String: Any]])?["max"]?["amount"] as? Int == 1450)
        }
    }

    @Test func theDemoCatalogIsLoadedOnFirstStart() async throws {
        try await withApp(configure: { $0.server.seedDemoCatalog = true }) { app in
            let list = try await app.send(.get, "/products").json()
            #expect((list["items"] as? [Any])?.count == 4)
            let figurine = try await app.send(.post, "/products/3d-printed-figurine/selection",
                                              json: #"{"selection": {"size": "small", "material": "abs", "colour": "white"}}"#).json()
            #expect(((figurine["errors"] as? [[String: String]]) ?? []).map { $0["code"]! } == ["excluded_combination"])
            let categories = try await app.send(.get, "/categories").json()
            #expect((categories["items"] as? [Any])?.count == 3)
        }
    }
}
