/// A way of shipping (standard, express, pickup) with its rates per destination, edited and stored as
/// one document.
import AtelierCore
public struct ShippingMethod: Sendable, Codable, Equatable {
    /// What one destination pays: base + per item × units + the weight bracket's amount; nothing at
    /// all once the goods subtotal reaches `freeAbove`.
    public struct Rate: Sendable, Codable, Equatable {
        /// ISO 3166-1 alpha-2, or "*" for everywhere not named by another rate of the method.
        public var country: String
        /// ISO 3166-2 subdivision without the country prefix; nil: the whole country.
        public var region: String?
        public var baseAmount: Int64
        public var perItemAmount: Int64
        /// Ascending; the first bracket the cart's weight fits in applies. A cart heavier than the
        /// last bracket cannot use the method. Empty: weight does not matter.
        public var weightBrackets: [WeightBracket]
        public var freeAbove: Int64?

        public init(country: String, region: String? = nil, baseAmount: Int64 = 0, perItemAmount: Int64 = 0,
                    weightBrackets: [WeightBracket] = [], freeAbove: Int64? = nil) {
            self.country = country
            self.region = region
            self.baseAmount = baseAmount
            self.perItemAmount = perItemAmount
            self.weightBrackets = weightBrackets
            self.freeAbove = freeAbove
        }
    }

    public struct WeightBracket: Sendable, Codable, Equatable {
        public var upToGrams: Int
        public var amount: Int64

        public init(upToGrams: Int, amount: Int64) {
            self.upToGrams = upToGrams
            self.amount = amount
        }
    }

    public var code: String
    public var name: String
    public var description: String
    public var active: Bool
    /// Order in which storefronts list the methods (lowest first).
    public var position: Int
    public var rates: [Rate]

    public init(code: String, name: String, description: String = "", active: Bool = true, position: Int = 0, rates: [Rate]) {
        self.code = code
        self.name = name
        self.description = description
        self.active = active
        self.position = position
        self.rates = rates
    }

    /// The most specific rate for a destination: its region, then its whole country, then "*".
    public func rate(for destination: Destination) -> Rate? {
        if let region = destination.region,
            let rate = rates.first(where: { $0.country == destination.country && $0.region == region })
        {
            return rate
        }
        return rates.first { $0.country == destination.country && $0.region == nil } ?? rates.first { $0.country == "*" }
    }
}

extension ShippingMethod {
    /// Every problem with the method, each located by a JSON pointer.
    public func problems() -> [AtelierError.FieldError] {
        var problems = ValidationErrors()
        FieldRules.checkCode(code, at: "/code", into: &problems)
        FieldRules.checkName(name, at: "/name", into: &problems)
        if description.unicodeScalars.count > CatalogLimits.descriptionMaxLength {
            problems.add("/description", .tooLong, "must be at most \(CatalogLimits.descriptionMaxLength) characters.")
        } else if FieldRules.hasControlCharacters(description, allowNewlines: true) {
            problems.add("/description", .invalidCharacters, "must not contain control characters.")
        }
        if !(0...ShippingLimits.maxPosition).contains(position) {
            problems.add("/position", .outOfRange, "must be 0–\(ShippingLimits.maxPosition).")
        }
        if rates.isEmpty { problems.add("/rates", .required, "a method needs at least one rate.") }
        if rates.count > ShippingLimits.maxRates { problems.add("/rates", .tooMany, "at most \(ShippingLimits.maxRates) rates.") }
        var seen = Set<String>()
        for (index, rate) in rates.enumerated() {
            let at = "/rates/\(index)"
            Destination.check(country: rate.country, region: rate.region, allowAnywhere: true, at: at, into: &problems)
            FieldRules.checkAmount(rate.baseAmount, at: at + "/baseAmount", into: &problems)
            FieldRules.checkAmount(rate.perItemAmount, at: at + "/perItemAmount", into: &problems)
            if let free = rate.freeAbove { FieldRules.checkAmount(free, at: at + "/freeAbove", into: &problems) }
            if rate.weightBrackets.count > ShippingLimits.maxBrackets {
                problems.add(at + "/weightBrackets", .tooMany, "at most \(ShippingLimits.maxBrackets) brackets.")
            }
            var previous = 0
            for (b, bracket) in rate.weightBrackets.enumerated() {
                let bat = at + "/weightBrackets/\(b)"
                if !(1...ShippingLimits.maxGrams).contains(bracket.upToGrams) {
                    problems.add(bat + "/upToGrams", .outOfRange, "must be 1–\(ShippingLimits.maxGrams) grams.")
                } else if bracket.upToGrams <= previous {
                    problems.add(bat + "/upToGrams", .notAscending, "brackets must be in ascending order of weight.")
                }
                previous = max(previous, bracket.upToGrams)
                FieldRules.checkAmount(bracket.amount, at: bat + "/amount", into: &problems)
            }
            if !seen.insert("\(rate.country)-\(rate.region ?? "")").inserted {
                problems.add(at, .duplicateRate, "another rate already covers \(rate.country)\(rate.region.map { "-\($0)" } ?? "").")
            }
        }
        return problems.errors
    }
}

extension Destination {
    static func isCountry(_ value: String) -> Bool {
        value.utf8.count == 2 && value.utf8.allSatisfy { $0 >= 0x41 && $0 <= 0x5A }
    }

    static func isRegion(_ value: String) -> Bool {
        (1...3).contains(value.utf8.count) && value.utf8.allSatisfy { ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) }
    }

    package static func check(country: String, region: String?, allowAnywhere: Bool, at pointer: String, into problems: inout ValidationErrors) {
        if allowAnywhere, country == "*" {
            if region != nil { problems.add(pointer + "/region", .regionWithoutCountry, "\"*\" covers every country; leave the region out.") }
            return
        }
        if !isCountry(country) {
            problems.add(pointer + "/country", .invalidCountry,
                         "must be an ISO 3166-1 alpha-2 code in capitals, like US\(allowAnywhere ? ", or \"*\"" : "").")
        }
        if let region {
            if !isRegion(region) {
                problems.add(pointer + "/region", .invalidRegion, "must be an ISO 3166-2 subdivision code without the country, like CA.")
            } else if isCountry(country), !Subdivisions.contains(region, in: country) {
                problems.add(pointer + "/region", .unknownRegion, unknownRegionMessage(country: country))
            }
        }
    }

    /// Names a real subdivision of the country as an example, or says the country has none.
    static func unknownRegionMessage(country: String) -> String {
        guard let example = Subdivisions.codes(of: country)?.min() else {
            return "must be left out: \(country) has no ISO 3166-2 subdivisions."
        }
        return "must be an ISO 3166-2 subdivision of \(country), without the country, like \(example)."
    }

    /// A destination from a shopper's input, or every problem with it.
    public static func parse(country: String, region: String?, at pointer: String = "/destination") throws(AtelierError) -> Destination {
        var problems = ValidationErrors()
        check(country: country, region: region, allowAnywhere: false, at: pointer, into: &problems)
        try problems.check()
        return Destination(country: country, region: region)
    }
}
