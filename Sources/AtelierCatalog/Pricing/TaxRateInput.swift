import AtelierCore

/// A tax rate as an admin writes it, before it has an id.
public struct TaxRateInput: Sendable, Equatable {
    public var name: String
    public var country: String
    public var region: String?
    public var rate: String
    public var appliesToShipping: Bool

    public init(name: String, country: String, region: String? = nil, rate: String, appliesToShipping: Bool = true) {
        self.name = name
        self.country = country
        self.region = region
        self.rate = rate
        self.appliesToShipping = appliesToShipping
    }

    /// The rate, or every problem with the input.
    public func validated(id: String) throws(AtelierError) -> TaxRate {
        var problems = ValidationErrors()
        FieldRules.checkName(name, at: "/name", into: &problems)
        Destination.check(country: country, region: region, allowAnywhere: false, at: "", into: &problems)
        let ppm = TaxRate.ppm(fromPercent: rate)
        if ppm == nil {
            problems.add("/rate", .invalidRate, "must be a percentage above 0 and at most 100 with up to four decimals, like \"8.875\".")
        }
        try problems.check()
        return TaxRate(id: id, name: name, country: country, region: region, ratePpm: ppm!, appliesToShipping: appliesToShipping)
    }
}
