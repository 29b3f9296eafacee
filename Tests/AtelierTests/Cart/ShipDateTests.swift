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
import Foundation
import Testing

@Suite struct ShipDateTests {
    static func instant(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    @Test func calendarDaysCountFromTheShopsLocalDate() {
        let berlin = ShipDateCalendar(timeZone: TimeZone(identifier: "Europe/Berlin")!)
        // 23:30 UTC on Friday is already Saturday in Berlin.
        #expect(berlin.shipDate(leadDays: 0, from: Self.instant("2026-11-20T23:30:00Z")) == "2026-11-21")
        #expect(ShipDateCalendar().shipDate(leadDays: 0, from: Self.instant("2026-11-20T23:30:00Z")) == "2026-11-20")
        #expect(berlin.shipDate(leadDays: 3, from: Self.instant("2026-11-20T10:00:00Z")) == "2026-11-23")
        // Across the end of daylight saving time (25 October 2026 in Berlin) a day is still a day.
        #expect(berlin.shipDate(leadDays: 1, from: Self.instant("2026-10-24T22:30:00Z")) == "2026-10-26")
    }

    @Test func businessDaysSkipWeekendsAndShipOnAWorkingDay() {
        let shop = ShipDateCalendar(timeZone: TimeZone(identifier: "America/New_York")!, businessDays: true)
        let friday = Self.instant("2026-11-20T15:00:00Z")
        #expect(shop.shipDate(leadDays: 0, from: friday) == "2026-11-20")
        #expect(shop.shipDate(leadDays: 1, from: friday) == "2026-11-23")
        #expect(shop.shipDate(leadDays: 5, from: friday) == "2026-11-27")
        let saturday = Self.instant("2026-11-21T15:00:00Z")
        #expect(shop.shipDate(leadDays: 0, from: saturday) == "2026-11-23")
        #expect(shop.shipDate(leadDays: 2, from: saturday) == "2026-11-25")
    }
}
