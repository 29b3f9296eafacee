@testable import Atelier
@testable import AtelierCore
@testable import AtelierAssets
@testable import AtelierCatalog
@testable import AtelierCustomization
@testable import AtelierCommerce
@testable import AtelierDelivery
@testable import AtelierInsights
@testable import AtelierPrivacy
@testable import AtelierAccess

/// A small valid product and template to break one rule at a time.
enum Fixtures {
    static let figurine = ProductDefinition(
        slug: "figurine", name: "Figurine", category: nil, basePrice: 2500, currency: "USD", baseLeadTimeDays: 4,
        dimensions: [
            .init(code: "size", name: "Size", values: [
                .init(code: "small", name: "Small"),
                .init(code: "large", name: "Large", priceAdjustment: 3000, leadTimeDays: 3),
                .init(code: "giant", name: "Giant", priceAdjustment: 9000, active: false),
            ]),
            .init(code: "material", name: "Material", values: [
                .init(code: "pla", name: "PLA"),
                .init(code: "abs", name: "ABS", priceAdjustment: 300),
                .init(code: "resin", name: "Resin", priceAdjustment: 1500, leadTimeDays: 5),
            ]),
            .init(code: "colour", name: "Colour", values: [
                .init(code: "white", name: "White"), .init(code: "red", name: "Red", leadTimeDays: 1),
            ]),
        ],
        exclusions: [["material": "abs", "colour": "white"]],
        optionSets: [
            .init(code: "finish", name: "Finish", minSelect: 1, maxSelect: 1, options: [
                .init(code: "matte", name: "Matte"), .init(code: "gloss", name: "Gloss", surcharge: 400),
                .init(code: "gold_leaf", name: "Gold leaf", surcharge: 5000, active: false),
            ]),
            .init(code: "extras", name: "Extras", minSelect: 0, maxSelect: 2, options: [
                .init(code: "gift_wrap", name: "Gift wrap", surcharge: 350), .init(code: "stand", name: "Stand", surcharge: 900),
                .init(code: "card", name: "Card", surcharge: 200),
            ]),
        ]
    )

    static let template = TemplateDefinition(
        views: [.init(code: "front", name: "Front", width: 1000, height: 800)],
        zones: [
            .init(code: "name", name: "Name", kind: .text, view: "front", required: true, surcharge: 300,
                  geometry: .init(x: 100, y: 100, width: 400, height: 100, rotation: 0),
                  text: .init(minLength: 1, maxLength: 20, maxLines: 1, charset: .printable, fonts: ["Inter"], colours: ["#000000"])),
            .init(code: "photo", name: "Photo", kind: .image, view: "front", required: false, surcharge: 500,
                  geometry: .init(x: 500, y: 100, width: 400, height: 400, rotation: 0),
                  image: .init(allowedTypes: ["png", "jpeg"], maxBytes: 1_000_000, minWidth: 500, minHeight: 500,
                               maxWidth: 4000, maxHeight: 4000, printWidthMm: 100, printHeightMm: 100, minDpi: 150)),
            .init(code: "ribbon", name: "Ribbon", kind: .colour, view: "front", required: false, surcharge: 0,
                  geometry: .init(x: 0, y: 700, width: 1000, height: 100, rotation: 0),
                  colour: .init(palette: [.init(code: "red", name: "Red", hex: "#ff0000")])),
            .init(code: "contents", name: "Contents", kind: .components, view: "front", required: true, surcharge: 0,
                  geometry: .init(x: 0, y: 0, width: 100, height: 100, rotation: 0),
                  components: .init(min: 1, max: 3, items: [
                      .init(code: "candle", name: "Candle", price: 1200, tracked: true),
                      .init(code: "tea", name: "Tea", price: 800, tracked: false),
                  ])),
        ]
    )

    static func codes(_ errors: [AtelierError.FieldError]) -> Set<String> { Set(errors.map(\.code.rawValue)) }

    static func has(_ errors: [AtelierError.FieldError], _ code: String, at pointer: String) -> Bool {
        errors.contains { $0.code.rawValue == code && $0.pointer == pointer }
    }
}
