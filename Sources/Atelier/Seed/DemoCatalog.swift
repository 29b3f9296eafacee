import AtelierCore
import AtelierAssets
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import AtelierDelivery
import AtelierInsights
import AtelierPrivacy
import AtelierAccess
import Foundation
import SQLKit

/// A small catalog that shows every feature: loaded by `atelier seed-demo` and on the first start.
public enum DemoCatalog {
    static let seededKey = "demo_catalog_seeded_at"

    /// Loads the demo catalog (idempotent: products are matched by slug) inside one transaction.
    @discardableResult
    public static func load(currency: String, clock: WallClock = .system, on db: any SQLDatabase) async throws -> CatalogImport.Outcome {
        let categories = CategoryStore(clock: clock)
        for (slug, name) in [("apparel", "Apparel"), ("gifts", "Gifts"), ("3d-printed", "3D printed")]
        where try await categories.find(slug: slug, on: db) == nil {
            _ = try await categories.create(slug: slug, name: name, on: db)
        }
        let importer = CatalogImport(products: ProductStore(shopCurrency: currency, clock: clock), templates: TemplateStore(clock: clock))
        let outcome = try await importer.apply(items(currency: currency), by: "demo", on: db)
        let box = try await ProductStore(shopCurrency: currency, clock: clock).find("build-your-own-gift-box", on: db)!
        let template = try await TemplateStore(clock: clock).find(productId: box.id, version: box.templateVersion!, on: db)
        _ = try await InventoryStore(clock: clock).apply(
            [.init(target: .component("scented_candle"), tracked: true, onHand: 25)],
            to: box, template: template?.definition, on: db
        )
        try await loadShopSettings(clock: clock, on: db)
        return outcome
    }

    /// Two shipping methods and a few tax rates, so that a quote works out of the box. Existing ones are kept.
    static func loadShopSettings(clock: WallClock, on db: any SQLDatabase) async throws {
        let methods = ShippingMethodStore(clock: clock)
        let demo = [
            ShippingMethod(code: "standard", name: "Standard", description: "3–5 business days after shipping.", position: 0, rates: [
                .init(country: "US", baseAmount: 500, perItemAmount: 100, freeAbove: 7500),
                .init(country: "US", region: "HI", baseAmount: 1500, perItemAmount: 100),
                .init(country: "*", weightBrackets: [.init(upToGrams: 2000, amount: 1800), .init(upToGrams: 10_000, amount: 3500)]),
            ]),
            ShippingMethod(code: "express", name: "Express", description: "1–2 business days after shipping.", position: 1, rates: [
                .init(country: "US", baseAmount: 1500, perItemAmount: 200),
            ]),
        ]
        for method in demo where try await methods.find(code: method.code, on: db) == nil {
            _ = try await methods.create(method, on: db)
        }
        let taxes = TaxRateStore(clock: clock)
        guard try await taxes.all(on: db).isEmpty else { return }
        for input in [
            TaxRateInput(name: "California sales tax", country: "US", region: "CA", rate: "7.25", appliesToShipping: false),
            TaxRateInput(name: "New York sales tax", country: "US", region: "NY", rate: "8.875"),
            TaxRateInput(name: "VAT", country: "DE", rate: "19"),
        ] {
            _ = try await taxes.create(input, on: db)
        }
    }

    /// Loads the demo catalog once in the life of a database, on the first start.
    public static func loadOnFirstStart(currency: String, clock: WallClock = .system, on db: any SQLDatabase) async throws -> Bool {
        let seeded = try await db.select().column("value").from("shop_state").where("key", .equal, seededKey)
            .first(decodingColumn: "value", as: String.self)
        guard seeded == nil else { return false }
        let products = try await db.raw("SELECT COUNT(*) AS n FROM products").first(decodingColumn: "n", as: Int.self) ?? 0
        if products == 0 { try await load(currency: currency, clock: clock, on: db) }
        try await db.insert(into: "shop_state").columns("key", "value", "updated_at")
            .values(SQLBind(seededKey), SQLBind(ISO8601DateFormatter().string(from: clock.now)), SQLBind(clock.now)).run()
        return products == 0
    }

    static func items(currency: String) -> [CatalogImport.Item] {
        // Shipping weights per unit, in grams.
        let weights = ["custom-printed-tee": 180, "engraved-wooden-keepsake-box": 650, "build-your-own-gift-box": 900,
                       "3d-printed-figurine": 120]
        return definitions(currency: currency).map { item in
            var item = item
            item.definition.weightGrams = weights[item.definition.slug]
            return item
        }
    }

    private static func definitions(currency: String) -> [CatalogImport.Item] {
        let black = "#111111", white = "#ffffff", navy = "#1f2a44", gold = "#c9a227"
        return [
            .init(
                definition: ProductDefinition(
                    slug: "custom-printed-tee", name: "Custom printed T-shirt",
                    description: "Organic cotton tee, printed to order with your text and artwork.",
                    category: "apparel", basePrice: 1900, currency: currency, baseLeadTimeDays: 3,
                    media: [.init(url: "/demo/tee-front.png", altText: "T-shirt, front", view: "front"),
                            .init(url: "/demo/tee-back.png", altText: "T-shirt, back", view: "back")],
                    dimensions: [
                        .init(code: "size", name: "Size", values: [
                            .init(code: "s", name: "S", skuFragment: "S"), .init(code: "m", name: "M", skuFragment: "M"),
                            .init(code: "l", name: "L", skuFragment: "L"),
                            .init(code: "xl", name: "XL", priceAdjustment: 200, skuFragment: "XL"),
                            .init(code: "xxl", name: "XXL", priceAdjustment: 400, leadTimeDays: 2, skuFragment: "XXL"),
                        ]),
                        .init(code: "colour", name: "Colour", values: [
                            .init(code: "white", name: "White", skuFragment: "WHT"), .init(code: "black", name: "Black", skuFragment: "BLK"),
                            .init(code: "navy", name: "Navy", skuFragment: "NVY"),
                        ]),
                    ]
                ),
                template: TemplateDefinition(
                    views: [.init(code: "front", name: "Front", width: 1000, height: 1200, imageUrl: "/demo/tee-front.png")],
                    zones: [
                        .init(code: "chest_text", name: "Chest text", kind: .text, view: "front", required: false, surcharge: 300,
                              geometry: .init(x: 300, y: 250, width: 400, height: 120, rotation: 0),
                              text: .init(minLength: 1, maxLength: 24, maxLines: 2, charset: .printable,
                                          fonts: ["Inter", "Oswald", "Pacifico"], colours: [black, white, navy, gold])),
                        .init(code: "artwork", name: "Artwork", kind: .image, view: "front", required: false, surcharge: 500,
                              geometry: .init(x: 250, y: 400, width: 500, height: 500, rotation: 0),
                              image: .init(allowedTypes: ["png", "jpeg", "webp"], maxBytes: 10_485_760, minWidth: 1181,
                                           minHeight: 1181, maxWidth: 8000, maxHeight: 8000, printWidthMm: 250,
                                           printHeightMm: 250, minDpi: 120)),
                    ]
                )
            ),
            .init(
                definition: ProductDefinition(
                    slug: "engraved-wooden-keepsake-box", name: "Engraved wooden keepsake box",
                    description: "Walnut box with a laser-engraved lid.",
                    category: "gifts", basePrice: 3400, currency: currency, baseLeadTimeDays: 2,
                    media: [.init(url: "/demo/keepsake-lid.png", altText: "Keepsake box lid", view: "lid")],
                    optionSets: [
                        .init(code: "finish", name: "Finish", minSelect: 1, maxSelect: 1, options: [
                            .init(code: "natural_oil", name: "Natural oil"), .init(code: "matte_lacquer", name: "Matte lacquer", surcharge: 400),
                            .init(code: "gloss_lacquer", name: "Gloss lacquer", surcharge: 600),
                        ]),
                        .init(code: "extras", name: "Extras", minSelect: 0, maxSelect: 2, options: [
                            .init(code: "gift_wrap", name: "Gift wrap", surcharge: 350), .init(code: "velvet_lining", name: "Velvet lining", surcharge: 800),
                        ]),
                    ]
                ),
                template: TemplateDefinition(
                    views: [.init(code: "lid", name: "Lid", width: 800, height: 600, imageUrl: "/demo/keepsake-lid.png")],
                    zones: [
                        .init(code: "engraving", name: "Engraving", kind: .text, view: "lid", required: true, surcharge: 0,
                              geometry: .init(x: 100, y: 200, width: 600, height: 200, rotation: 0),
                              text: .init(minLength: 1, maxLength: 40, maxLines: 3, charset: .basicLatin,
                                          fonts: ["Playfair Display", "Great Vibes", "Cinzel"], colours: [black])),
                    ]
                )
            ),
            .init(
                definition: ProductDefinition(
                    slug: "build-your-own-gift-box", name: "Build-your-own gift box",
                    description: "Pick three to five treats; we pack them in a kraft box with a ribbon.",
                    category: "gifts", basePrice: 1500, currency: currency, baseLeadTimeDays: 1,
                    media: [.init(url: "/demo/gift-box.png", altText: "Open gift box", view: "top")]
                ),
                template: TemplateDefinition(
                    views: [.init(code: "top", name: "Top", width: 900, height: 900, imageUrl: "/demo/gift-box.png")],
                    zones: [
                        .init(code: "contents", name: "Contents", kind: .components, view: "top", required: true, surcharge: 0,
                              geometry: .init(x: 50, y: 50, width: 800, height: 800, rotation: 0),
                              components: .init(min: 3, max: 5, items: [
                                  .init(code: "scented_candle", name: "Scented candle", price: 1200, tracked: true),
                                  .init(code: "dark_chocolate", name: "Dark chocolate bar", price: 450, tracked: false),
                                  .init(code: "herbal_tea", name: "Herbal tea tin", price: 800, tracked: false),
                                  .init(code: "honey_jar", name: "Wildflower honey", price: 900, tracked: false),
                                  .init(code: "greeting_card", name: "Greeting card", price: 300, tracked: false),
                              ])),
                        .init(code: "ribbon", name: "Ribbon colour", kind: .colour, view: "top", required: true, surcharge: 0,
                              geometry: .init(x: 400, y: 0, width: 100, height: 900, rotation: 0),
                              colour: .init(palette: [.init(code: "red", name: "Red", hex: "#b3261e"),
                                                      .init(code: "gold", name: "Gold", hex: gold),
                                                      .init(code: "forest", name: "Forest green", hex: "#2e5e3a")])),
                    ]
                )
            ),
            .init(
                definition: ProductDefinition(
                    slug: "3d-printed-figurine", name: "3D-printed figurine",
                    description: "Your figurine printed in PLA, ABS or resin.",
                    category: "3d-printed", basePrice: 2500, currency: currency, baseLeadTimeDays: 4,
                    media: [.init(url: "/demo/figurine.png", altText: "Figurine", view: "front")],
                    dimensions: [
                        .init(code: "size", name: "Size", values: [
                            .init(code: "small", name: "Small (8 cm)"),
                            .init(code: "medium", name: "Medium (12 cm)", priceAdjustment: 1000, leadTimeDays: 1),
                            .init(code: "large", name: "Large (20 cm)", priceAdjustment: 3000, leadTimeDays: 3),
                        ]),
                        .init(code: "material", name: "Material", values: [
                            .init(code: "pla", name: "PLA"), .init(code: "abs", name: "ABS", priceAdjustment: 300),
                            .init(code: "resin", name: "Resin", priceAdjustment: 1500, leadTimeDays: 5),
                        ]),
                        .init(code: "colour", name: "Colour", values: [
                            .init(code: "white", name: "White"), .init(code: "grey", name: "Grey"),
                            .init(code: "red", name: "Red", leadTimeDays: 1),
                        ]),
                    ],
                    exclusions: [["material": "abs", "colour": "white"]]
                )
            ),
        ]
    }
}
