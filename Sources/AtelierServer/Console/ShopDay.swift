import Foundation

/// Today in the shop's time zone: its date (as expected ship dates are written), its midnight and its week's
/// Monday midnight, for the dashboard's "today" and "this week".
struct ShopDay {
    let date: String
    let start: Date
    let weekStart: Date

    init(timeZone: TimeZone, now: Date) {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = timeZone
        start = calendar.startOfDay(for: now)
        weekStart = calendar.dateInterval(of: .weekOfYear, for: now)?.start ?? start
        let parts = calendar.dateComponents([.year, .month, .day], from: now)
        date = String(format: "%04d-%02d-%02d", parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1)
    }
}
