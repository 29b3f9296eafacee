/// What a shopper has chosen so far: variant values, add-ons and a value per customization zone.
import AtelierCore
import AtelierAssets
import AtelierCatalog
public struct CustomizationState: Sendable, Codable, Equatable {
    public struct ZoneValue: Sendable, Codable, Equatable {
        public struct Text: Sendable, Codable, Equatable {
            public var text: String
            public var font: String?
            public var colour: String?

            public init(text: String, font: String? = nil, colour: String? = nil) {
                self.text = text
                self.font = font
                self.colour = colour
            }
        }

        public var text: Text?
        public var image: String?  // asset id
        public var colour: String?  // swatch code
        public var components: [String]?

        public init(text: Text? = nil, image: String? = nil, colour: String? = nil, components: [String]? = nil) {
            self.text = text
            self.image = image
            self.colour = colour
            self.components = components
        }

        public var isEmpty: Bool { text == nil && image == nil && colour == nil && components == nil }
    }

    public var selection: [String: String]
    public var options: [String: [String]]
    public var zones: [String: ZoneValue]

    public init(selection: [String: String] = [:], options: [String: [String]] = [:], zones: [String: ZoneValue] = [:]) {
        self.selection = selection
        self.options = options
        self.zones = zones
    }

    /// Applies an update: given selection and options replace the old ones; zone values replace per
    /// zone, and an empty value clears the zone.
    public func applying(selection: [String: String]?, options: [String: [String]]?, zones: [String: ZoneValue]?) -> CustomizationState {
        var next = self
        if let selection { next.selection = selection }
        if let options { next.options = options }
        for (code, value) in zones ?? [:] {
            next.zones[code] = value.isEmpty ? nil : value
        }
        return next
    }
}
