import AtelierCore
import Foundation

/// The catalog module's settings: the shop's currency, how prices treat tax, and the calendar of ship dates.
public struct CatalogSettings: Sendable {
    /// The one currency the shop sells in (ISO 4217).
    public var shopCurrency = "USD"
    /// Whether catalog prices include tax.
    public var taxMode = TaxMode.exclusive
    /// The shop's time zone and working days, for expected ship dates (and the days of the sales reports).
    public var shipDates = ShipDateCalendar()

    public init() {}

    /// Reads the variables below; a bad one is recorded in `reader` and leaves its default.
    package static func read(_ reader: inout EnvironmentReader) -> CatalogSettings {
        var settings = CatalogSettings()
        if let raw = reader.value("ATELIER_SHOP_CURRENCY") {
            if Money.isCurrencyCode(raw) {
                settings.shopCurrency = raw
            } else {
                reader.problems.append("ATELIER_SHOP_CURRENCY=\(raw): must be a three-letter ISO 4217 code in capitals, like USD")
            }
        }
        if let raw = reader.value("ATELIER_TAX_MODE") {
            if let mode = TaxMode(rawValue: raw.lowercased()) {
                settings.taxMode = mode
            } else {
                reader.problems.append("ATELIER_TAX_MODE=\(raw): must be exclusive or inclusive")
            }
        }
        var timeZone = settings.shipDates.timeZone
        if let raw = reader.value("ATELIER_SHOP_TIMEZONE") {
            if let zone = TimeZone(identifier: raw) {
                timeZone = zone
            } else {
                reader.problems.append("ATELIER_SHOP_TIMEZONE=\(raw): must be an IANA time zone, like Europe/Berlin")
            }
        }
        let businessDays = reader.boolean("ATELIER_LEAD_TIME_BUSINESS_DAYS", default: settings.shipDates.businessDays)
        settings.shipDates = ShipDateCalendar(timeZone: timeZone, businessDays: businessDays)
        return settings
    }

    /// The variables `read` reads, as the README documents them.
    public static let variables: [EnvironmentVariable] = [
        .init("ATELIER_SHOP_CURRENCY", "USD", "the ISO 4217 currency every price is in"),
        .init("ATELIER_TAX_MODE", "exclusive", "exclusive: tax is added to prices; inclusive: prices include tax"),
        .init("ATELIER_SHOP_TIMEZONE", "UTC", "the shop's IANA time zone, for expected ship dates and reports"),
        .init("ATELIER_LEAD_TIME_BUSINESS_DAYS", "false", "true: lead times count Monday to Friday only"),
    ]
}
