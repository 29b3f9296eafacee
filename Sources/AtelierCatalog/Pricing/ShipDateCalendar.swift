import AtelierCore
import Foundation

/// Turns lead times into the date an item is expected to ship, in the shop's time zone.
///
/// Calendar days: today + lead days. Business days: the lead days count Monday to Friday only, and
/// the ship date itself is a business day (an order placed on Saturday with no lead time ships on
/// Monday). Holidays are not modelled.
public struct ShipDateCalendar: Sendable {
    public let timeZone: TimeZone
    public let businessDays: Bool

    public init(timeZone: TimeZone = TimeZone(identifier: "UTC")!, businessDays: Bool = false) {
        self.timeZone = timeZone
        self.businessDays = businessDays
    }

    /// The ship date as an ISO 8601 calendar date ("2026-11-24").
    public func shipDate(leadDays: Int, from now: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        // Noon of the local day: adding days never crosses a daylight-saving edge into the wrong date.
        let today = calendar.dateComponents([.year, .month, .day], from: now)
        var day = calendar.date(from: DateComponents(year: today.year, month: today.month, day: today.day, hour: 12))!
        if businessDays {
            while calendar.isDateInWeekend(day) { day = calendar.date(byAdding: .day, value: 1, to: day)! }
            var left = max(0, leadDays)
            while left > 0 {
                day = calendar.date(byAdding: .day, value: 1, to: day)!
                if !calendar.isDateInWeekend(day) { left -= 1 }
            }
        } else {
            day = calendar.date(byAdding: .day, value: max(0, leadDays), to: day)!
        }
        let parts = calendar.dateComponents([.year, .month, .day], from: day)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }
}
