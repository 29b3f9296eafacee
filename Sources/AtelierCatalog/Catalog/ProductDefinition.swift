import AtelierCore
import Foundation

/// Everything that defines what a product is and how it may be configured; edited and stored as one
/// aggregate. Codes (`size`, `M`, `gift_wrap`) are the stable handles that selections, carts and
/// orders refer to; names are for people and may change.
public struct ProductDefinition: Sendable, Codable, Equatable {
    public struct Media: Sendable, Codable, Equatable {
        public var url: String
        public var altText: String
        public var view: String?

        public init(url: String, altText: String, view: String? = nil) {
            self.url = url
            self.altText = altText
            self.view = view
        }
    }

    public struct Dimension: Sendable, Codable, Equatable {
        public var code: String
        public var name: String
        public var values: [Value]

        public init(code: String, name: String, values: [ProductDefinition.Value]) {
            self.code = code
            self.name = name
            self.values = values
        }
    }

    public struct Value: Sendable, Codable, Equatable {
        public var code: String
        public var name: String
        public var priceAdjustment: Int64
        public var leadTimeDays: Int
        public var skuFragment: String?
        public var active: Bool

        public init(code: String, name: String, priceAdjustment: Int64 = 0, leadTimeDays: Int = 0,
                    skuFragment: String? = nil, active: Bool = true) {
            self.code = code
            self.name = name
            self.priceAdjustment = priceAdjustment
            self.leadTimeDays = leadTimeDays
            self.skuFragment = skuFragment
            self.active = active
        }
    }

    /// One variant of a product that lists its variants explicitly.
    public struct Variant: Sendable, Codable, Equatable {
        public var selection: [String: String]
        public var sku: String?

        public init(selection: [String: String], sku: String? = nil) {
            self.selection = selection
            self.sku = sku
        }
    }

    public struct OptionSet: Sendable, Codable, Equatable {
        public var code: String
        public var name: String
        public var minSelect: Int
        public var maxSelect: Int
        public var options: [Option]

        public init(code: String, name: String, minSelect: Int = 0, maxSelect: Int = 1, options: [ProductDefinition.Option]) {
            self.code = code
            self.name = name
            self.minSelect = minSelect
            self.maxSelect = maxSelect
            self.options = options
        }
    }

    public struct Option: Sendable, Codable, Equatable {
        public var code: String
        public var name: String
        public var surcharge: Int64
        public var active: Bool

        public init(code: String, name: String, surcharge: Int64 = 0, active: Bool = true) {
            self.code = code
            self.name = name
            self.surcharge = surcharge
            self.active = active
        }
    }

    public var slug: String
    public var name: String
    public var description: String
    public var category: String?
    public var basePrice: Int64
    public var currency: String
    public var baseLeadTimeDays: Int
    public var active: Bool
    public var media: [Media]
    public var dimensions: [Dimension]
    /// Partial selections that may not be combined, e.g. `{"material": "abs", "colour": "white"}`.
    public var exclusions: [[String: String]]
    /// nil: every combination of active values is offered (minus exclusions). Otherwise only these.
    public var variants: [Variant]?
    public var optionSets: [OptionSet]
    /// Shipping weight of one unit in grams, for weight-based shipping rates; nil counts as 0.
    public var weightGrams: Int?

    public init(
        slug: String, name: String, description: String = "", category: String? = nil,
        basePrice: Int64, currency: String, baseLeadTimeDays: Int = 0, active: Bool = true,
        media: [Media] = [], dimensions: [Dimension] = [], exclusions: [[String: String]] = [],
        variants: [Variant]? = nil, optionSets: [OptionSet] = [], weightGrams: Int? = nil
    ) {
        self.slug = slug
        self.name = name
        self.description = description
        self.category = category
        self.basePrice = basePrice
        self.currency = currency
        self.baseLeadTimeDays = baseLeadTimeDays
        self.active = active
        self.media = media
        self.dimensions = dimensions
        self.exclusions = exclusions
        self.variants = variants
        self.optionSets = optionSets
        self.weightGrams = weightGrams
    }

    public func dimension(_ code: String) -> Dimension? { dimensions.first { $0.code == code } }
    public func optionSet(_ code: String) -> OptionSet? { optionSets.first { $0.code == code } }
}

extension ProductDefinition.Dimension {
    public func value(_ code: String) -> ProductDefinition.Value? { values.first { $0.code == code } }
}
