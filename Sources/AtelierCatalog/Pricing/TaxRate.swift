/// A tax levied on sales to a country or one of its regions. Every rate matching a destination applies
/// (a country's rate and a region's rate stack, as GST and PST do in Canada).
import AtelierCore
public struct TaxRate: Sendable, Codable, Equatable {
    public var id: String
    public var name: String
    public var country: String
    /// nil: the whole country.
    public var region: String?
    /// Parts per million: 8.875 % is 88,750.
    public var ratePpm: Int64
    /// Whether the rate is also levied on the shipping charge.
    public var appliesToShipping: Bool

    public init(id: String, name: String, country: String, region: String? = nil, ratePpm: Int64, appliesToShipping: Bool = true) {
        self.id = id
        self.name = name
        self.country = country
        self.region = region
        self.ratePpm = ratePpm
        self.appliesToShipping = appliesToShipping
    }

    public func applies(to destination: Destination) -> Bool {
        country == destination.country && (region == nil || region == destination.region)
    }

    /// Rates are written as a percentage with up to four decimals ("8.875"); above 0, at most 100.
    public static func ppm(fromPercent text: String) -> Int64? {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, (1...3).contains(whole.count), whole.allSatisfy(\.isASCII), whole.allSatisfy(\.isNumber),
            let units = Int64(whole)
        else { return nil }
        var fraction: Int64 = 0
        if parts.count == 2 {
            let digits = parts[1]
            guard (1...4).contains(digits.count), digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber), let value = Int64(digits) else { return nil }
            fraction = value
            for _ in digits.count..<4 { fraction *= 10 }
        }
        let ppm = units * 10_000 + fraction
        return (1...PricingEngine.ppmScale).contains(ppm) ? ppm : nil
    }

    /// The percentage as written back: "8.875", "20", "0.5".
    public static func percent(fromPpm ppm: Int64) -> String {
        let whole = ppm / 10_000, fraction = ppm % 10_000
        guard fraction != 0 else { return String(whole) }
        var digits = String(fraction)
        digits = String(repeating: "0", count: 4 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(whole).\(digits)"
    }
}
