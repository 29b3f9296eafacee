import AtelierCore

/// Where a cart ships to: an ISO 3166-1 alpha-2 country and, optionally, an ISO 3166-2 subdivision
/// code without the country prefix ("CA" for California in "US").
public struct Destination: Sendable, Hashable, CustomStringConvertible {
    public var country: String
    public var region: String?

    public init(country: String, region: String? = nil) {
        self.country = country
        self.region = region
    }

    public var description: String { region.map { "\(country)-\($0)" } ?? country }
}
