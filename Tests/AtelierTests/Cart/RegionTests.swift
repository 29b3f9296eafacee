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
import AtelierTestSupport
import Foundation
import SQLKit
import Testing

/// Regions of shipping rates, tax rates, quote destinations and checkout addresses are ISO 3166-2
/// subdivisions of their country.
@Suite struct RegionTests {
    /// "pointer code" of every field error `body` throws; empty when it throws nothing.
    func problems(_ body: () throws -> Void) -> Set<String> {
        do {
            try body()
            return []
        } catch let error as AtelierError {
            return Set(error.errors.map { "\($0.pointer) \($0.code)" })
        } catch {
            return ["unexpected \(error)"]
        }
    }

    @Test func aTaxRateForARegionTheCountryDoesNotHaveIsRefused() throws {
        let refused = #expect(throws: AtelierError.self) {
            try TaxRateInput(name: "Nowhere tax", country: "US", region: "ZZ", rate: "5").validated(id: "tax_1")
        }
        #expect(refused?.status == 422 && refused?.code.rawValue == "validation_failed")
        #expect(refused?.errors.map(\.pointer) == ["/region"] && refused?.errors.map(\.code.rawValue) == ["unknown_region"])
        #expect(refused?.errors.first?.message.contains("like AK") == true)
        // California is a US state, not a Canadian province.
        #expect(problems { _ = try TaxRateInput(name: "PST", country: "CA", region: "CA", rate: "7").validated(id: "tax_2") }
            == ["/region unknown_region"])
    }

    @Test func realSubdivisionsOfEveryLevelAreAccepted() throws {
        for (country, region) in [("US", "CA"), ("US", "PR"), ("US", "DC"), ("CA", "ON"), ("DE", "BY"), ("GB", "ENG"), ("GB", "KEN"),
                                  ("JP", "13"), ("FR", "IDF"), ("FR", "75C"), ("AU", "NSW"), ("MX", "CMX")] {
            #expect(problems { _ = try Destination.parse(country: country, region: region) }.isEmpty, "\(country)-\(region)")
            #expect(problems { _ = try TaxRateInput(name: "Tax", country: country, region: region, rate: "5").validated(id: "tax_1") }.isEmpty,
                    "\(country)-\(region)")
        }
        #expect(Subdivisions.codes(of: "US")?.count == 57)  // 50 states, DC and 6 outlying areas
        #expect(Subdivisions.codes(of: "AQ")?.isEmpty == true)
        #expect(Subdivisions.codes(of: "ZZ") == nil)
    }

    @Test func shippingRatesAndQuoteDestinationsNameRealRegions() {
        let method = ShippingMethod(code: "std", name: "Std", rates: [
            .init(country: "US", region: "HI", baseAmount: 1500), .init(country: "CA", region: "CA", baseAmount: 900),
            .init(country: "DE", region: "XX", baseAmount: 900),
        ])
        #expect(Set(method.problems().map { "\($0.pointer) \($0.code)" }) == ["/rates/1/region unknown_region", "/rates/2/region unknown_region"])
        #expect(problems { _ = try Destination.parse(country: "DE", region: "CA") } == ["/destination/region unknown_region"])
        #expect(problems { _ = try Destination.parse(country: "DE", region: nil) }.isEmpty)
    }

    @Test func aCountryWithoutSubdivisionsTakesNoRegion() {
        #expect(problems { _ = try Destination.parse(country: "AQ", region: "A") } == ["/destination/region unknown_region"])
        #expect(problems { _ = try Destination.parse(country: "VA", region: nil) }.isEmpty)
        // A well-formed code that is no country has no subdivisions either.
        #expect(problems { _ = try Destination.parse(country: "ZZ", region: "CA") } == ["/destination/region unknown_region"])
    }

    @Test func theFormatIsCheckedFirstAndCodesAreCapitals() {
        // As before: a lower-case or too long code is malformed, not unknown; a bad country says only that.
        #expect(problems { _ = try Destination.parse(country: "US", region: "ca") } == ["/destination/region invalid_region"])
        #expect(problems { _ = try Destination.parse(country: "US", region: "CALI") } == ["/destination/region invalid_region"])
        #expect(problems { _ = try Destination.parse(country: "usa", region: "CA") } == ["/destination/country invalid_country"])
        #expect(problems { _ = try Destination.parse(country: "US", region: "") } == ["/destination/region invalid_region"])
    }

    @Test func aTaxRateStoreKeepsNothingForAnUnknownRegion() async throws {
        try await TestDatabase.with { database in
            let refused = await #expect(throws: AtelierError.self) {
                try await database.transaction { db in
                    try await TaxRateStore().create(.init(name: "Nowhere tax", country: "US", region: "ZZ", rate: "5"), on: db)
                }
            }
            #expect(refused?.errors.map(\.code.rawValue) == ["unknown_region"])
            let rates = try await database.withConnection { db in try await TaxRateStore().all(on: db) }
            #expect(rates.isEmpty)
        }
    }

    @Test func theDemoShopSettingsUseOnlyRealRegions() async throws {
        try await TestDatabase.with { database in
            try await database.transaction { db in try await DemoCatalog.loadShopSettings(clock: .system, on: db) }
            let rates = try await database.withConnection { db in try await TaxRateStore().all(on: db) }
            #expect(Set(rates.compactMap(\.region)) == ["CA", "NY"])
        }
    }

    @Test func aCheckoutToAnUnknownRegionIsA422NamingTheAddressField() async throws {
        let checkouts = CheckoutTests()
        func customer(region: String) -> CustomerDetails {
            var details = CheckoutTests.customer
            details.shippingAddress.region = region
            return details
        }
        let unknown = customer(region: "ZZ")
        #expect(Set(unknown.problems().map { "\($0.pointer) \($0.code)" }) == ["/shippingAddress/region unknown_region"])
        try await TestDatabase.with { database in
            let product = try await checkouts.seed(database)
            let key = try await checkouts.cart(database, product)
            let refused = await #expect(throws: AtelierError.self) {
                try await database.transaction { db in
                    _ = try await checkouts.service.start(cartKey: key, .init(customer: unknown, provider: .test), on: db)
                }
            }
            #expect(refused?.status == 422 && refused?.code.rawValue == "validation_failed")
            #expect(refused?.errors.map(\.pointer) == ["/shippingAddress/region"])
        }
        // England is a subdivision of GB: the same address with it is fine.
        #expect(customer(region: "ENG").problems().isEmpty)
    }
}
