/// What a shopper may customize on a product and where it appears: views, and zones on them.
/// A template is published as an immutable version; editing publishes the next version.
import AtelierCore
public struct TemplateDefinition: Sendable, Codable, Equatable {
    public struct View: Sendable, Codable, Equatable {
        public var code: String
        public var name: String
        /// Size of the view's canvas in its own units (pixels of the reference image).
        public var width: Int
        public var height: Int
        public var imageUrl: String?

        public init(code: String, name: String, width: Int, height: Int, imageUrl: String? = nil) {
            self.code = code
            self.name = name
            self.width = width
            self.height = height
            self.imageUrl = imageUrl
        }
    }

    public struct Geometry: Sendable, Codable, Equatable {
        public var x: Int
        public var y: Int
        public var width: Int
        public var height: Int
        /// Degrees clockwise around the box's centre, -180...180.
        public var rotation: Int

        public init(x: Int, y: Int, width: Int, height: Int, rotation: Int) {
            self.x = x
            self.y = y
            self.width = width
            self.height = height
            self.rotation = rotation
        }
    }

    public enum Kind: String, Sendable, Codable, CaseIterable {
        case text, image, colour, components
    }

    public struct TextRules: Sendable, Codable, Equatable {
        public var minLength: Int
        public var maxLength: Int
        public var maxLines: Int
        public var charset: Charset
        public var fonts: [String]
        /// Allowed text colours as #rrggbb.
        public var colours: [String]

        public init(minLength: Int, maxLength: Int, maxLines: Int, charset: Charset, fonts: [String], colours: [String]) {
            self.minLength = minLength
            self.maxLength = maxLength
            self.maxLines = maxLines
            self.charset = charset
            self.fonts = fonts
            self.colours = colours
        }
    }

    /// Which characters a text zone accepts; engraving machines cannot cut every glyph.
    public enum Charset: String, Sendable, Codable, CaseIterable {
        /// Letters and digits of any script, spaces and common punctuation.
        case printable
        /// A–Z, a–z, 0–9, space and . , ' - & ! ?
        case basicLatin = "basic_latin"
        /// A–Z, 0–9 and space.
        case uppercaseAlphanumeric = "uppercase_alphanumeric"
    }

    public struct ImageRules: Sendable, Codable, Equatable {
        public var allowedTypes: [String]
        public var maxBytes: Int
        public var minWidth: Int
        public var minHeight: Int
        public var maxWidth: Int
        public var maxHeight: Int
        /// Printed size of the zone, for the minimum resolution check.
        public var printWidthMm: Int?
        public var printHeightMm: Int?
        public var minDpi: Int?

        public init(allowedTypes: [String], maxBytes: Int, minWidth: Int, minHeight: Int, maxWidth: Int, maxHeight: Int, printWidthMm: Int? = nil, printHeightMm: Int? = nil, minDpi: Int? = nil) {
            self.allowedTypes = allowedTypes
            self.maxBytes = maxBytes
            self.minWidth = minWidth
            self.minHeight = minHeight
            self.maxWidth = maxWidth
            self.maxHeight = maxHeight
            self.printWidthMm = printWidthMm
            self.printHeightMm = printHeightMm
            self.minDpi = minDpi
        }
    }

    public struct Swatch: Sendable, Codable, Equatable {
        public var code: String
        public var name: String
        public var hex: String

        public init(code: String, name: String, hex: String) {
            self.code = code
            self.name = name
            self.hex = hex
        }
    }

    public struct ColourRules: Sendable, Codable, Equatable {
        public var palette: [Swatch]

        public init(palette: [Swatch]) {
            self.palette = palette
        }
    }

    public struct ComponentItem: Sendable, Codable, Equatable {
        public var code: String
        public var name: String
        public var price: Int64
        /// Whether stock is counted for this component (see the product's inventory).
        public var tracked: Bool

        public init(code: String, name: String, price: Int64, tracked: Bool) {
            self.code = code
            self.name = name
            self.price = price
            self.tracked = tracked
        }
    }

    public struct ComponentRules: Sendable, Codable, Equatable {
        public var min: Int
        public var max: Int
        public var items: [ComponentItem]

        public init(min: Int, max: Int, items: [ComponentItem]) {
            self.min = min
            self.max = max
            self.items = items
        }
    }

    public struct Zone: Sendable, Codable, Equatable {
        public var code: String
        public var name: String
        public var kind: Kind
        public var view: String
        public var required: Bool
        /// Added once to the unit price when the zone is used.
        public var surcharge: Int64
        public var geometry: Geometry
        public var text: TextRules?
        public var image: ImageRules?
        public var colour: ColourRules?
        public var components: ComponentRules?

        public init(code: String, name: String, kind: Kind, view: String, required: Bool, surcharge: Int64, geometry: Geometry, text: TextRules? = nil, image: ImageRules? = nil, colour: ColourRules? = nil, components: ComponentRules? = nil) {
            self.code = code
            self.name = name
            self.kind = kind
            self.view = view
            self.required = required
            self.surcharge = surcharge
            self.geometry = geometry
            self.text = text
            self.image = image
            self.colour = colour
            self.components = components
        }
    }

    public var views: [View]
    public var zones: [Zone]

    public init(views: [View], zones: [Zone]) {
        self.views = views
        self.zones = zones
    }
}
