@testable import Atelier
@testable import AtelierCore
@testable import AtelierAssets
@testable import AtelierCatalog
@testable import AtelierCustomization
@testable import AtelierCommerce
@testable import AtelierDelivery
@testable import AtelierInsights
@testable import AtelierPrivacy
@testable import AtelierAccess
import Testing

@Suite struct CatalogCSVTests {
    @Test func readsProductsWithTheirVariantsFromRows() throws {
        let csv = #"""
            slug,name,base_price,category,dimension,value,value_name,price_adjustment,value_lead_time_days,sku_fragment
            tee,"Tee, organic",1900,,size,s,Small,0,0,S
            tee,,,,size,xl,"Extra ""large""",200,2,XL
            tee,,,,colour,navy,Navy,0,0,NVY
            """# + "\r\nmug,Mug,1200,,,,,,,\r\n\n"
        let (items, rows) = try CatalogCSV.parse(csv, currency: "USD")
        #expect(items.count == 2)
        #expect(rows == [2, 5])
        let tee = items[0].definition
        #expect(tee.name == "Tee, organic")
        #expect(tee.basePrice == 1900)
        #expect(tee.dimensions.map(\.code) == ["size", "colour"])
        #expect(tee.dimensions[0].values.map(\.name) == ["Small", "Extra \"large\""])
        #expect(tee.dimensions[0].values[1].priceAdjustment == 200)
        #expect(items[1].definition.dimensions.isEmpty)
    }

    @Test func reportsEveryBadRowAtOnce() {
        let csv = """
            slug,name,base_price,dimension,value,colour
            tee,Tee,abc,size,
            ,Mug,1200,,
            """
        let error = #expect(throws: AtelierError.self) { try CatalogCSV.parse(csv, currency: "USD") }
        #expect(Fixtures.has(error?.errors ?? [], "unknown_column", at: "/rows/1/5"))

        let rows = """
            slug,name,base_price,dimension,value
            tee,Tee,abc,size,
            ,Mug,1200,,
            cup,Cup,12,
            """
        let rowErrors = #expect(throws: AtelierError.self) { try CatalogCSV.parse(rows, currency: "USD") }?.errors ?? []
        #expect(Fixtures.has(rowErrors, "not_an_integer", at: "/rows/2/base_price"))
        #expect(Fixtures.has(rowErrors, "required", at: "/rows/2/value"))
        #expect(Fixtures.has(rowErrors, "required", at: "/rows/3/slug"))
        #expect(Fixtures.has(rowErrors, "wrong_field_count", at: "/rows/4"))
    }

    @Test func malformedQuotingIsA422() {
        let error = #expect(throws: AtelierError.self) { try CatalogCSV.parse("slug,name\n\"tee,Tee\n", currency: "USD") }
        #expect(error?.code.rawValue == "malformed_csv")
    }
}
