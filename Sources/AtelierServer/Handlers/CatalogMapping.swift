import Atelier
import AtelierAPI
import Foundation

// Conversions between the contract's catalog types and the domain's. Money in the contract carries its
// currency; the domain keeps one shop currency and integer minor units, so every incoming currency is
// recorded and checked by `MoneyReader` and reported with a pointer when it is not the shop's.

/// Reads `Money` values of one input, remembering every one in another currency.
struct MoneyReader {
    let currency: String
    var mismatches: [AtelierError.FieldError] = []

    init(currency: String) { self.currency = currency }

    mutating func amount(_ money: Components.Schemas.Money?, at pointer: String) -> Int64 {
        guard let money else { return 0 }
        if money.currency != currency {
            mismatches.append(.init(pointer: pointer + "/currency", code: .currencyMismatch, message: "the shop sells in \(currency)."))
        }
        return money.amount
    }
}

extension Components.Schemas.Money {
    init(_ amount: Int64, _ currency: String) { self.init(amount: amount, currency: currency) }
}

extension ProductDefinition {
    init(_ input: Components.Schemas.ProductInput, money: inout MoneyReader, at root: String = "") {
        self.init(
            slug: input.slug, name: input.name, description: input.description ?? "", category: input.category,
            // Amounts are kept in the shop currency; a different one was recorded as a mismatch.
            basePrice: money.amount(input.basePrice, at: root + "/basePrice"), currency: money.currency,
            baseLeadTimeDays: input.baseLeadTimeDays ?? 0, active: input.active ?? true,
            media: (input.media ?? []).map { Media(url: $0.url, altText: $0.altText, view: $0.view) },
            dimensions: (input.dimensions ?? []).enumerated().map { d, dimension in
                Dimension(code: dimension.code, name: dimension.name, values: dimension.values.enumerated().map { v, value in
                    Value(code: value.code, name: value.name,
                          priceAdjustment: money.amount(value.priceAdjustment, at: root + "/dimensions/\(d)/values/\(v)/priceAdjustment"),
                          leadTimeDays: value.leadTimeDays ?? 0, skuFragment: value.skuFragment, active: value.active ?? true)
                })
            },
            exclusions: (input.exclusions ?? []).map(\.additionalProperties),
            variants: input.variants?.map { Variant(selection: $0.selection.additionalProperties, sku: $0.sku) },
            optionSets: (input.optionSets ?? []).enumerated().map { s, set in
                OptionSet(code: set.code, name: set.name, minSelect: set.minSelect ?? 0, maxSelect: set.maxSelect ?? 1,
                          options: set.options.enumerated().map { o, option in
                              Option(code: option.code, name: option.name,
                                     surcharge: money.amount(option.surcharge, at: root + "/optionSets/\(s)/options/\(o)/surcharge"),
                                     active: option.active ?? true)
                          })
            },
            weightGrams: input.weightGrams
        )
    }
}

extension Components.Schemas.ProductInput {
    init(_ definition: ProductDefinition) {
        let currency = definition.currency
        self.init(
            slug: definition.slug, name: definition.name, description: definition.description, category: definition.category,
            basePrice: .init(definition.basePrice, currency), baseLeadTimeDays: definition.baseLeadTimeDays,
            active: definition.active,
            media: definition.media.map { .init(url: $0.url, altText: $0.altText, view: $0.view) },
            dimensions: definition.dimensions.map { dimension in
                .init(code: dimension.code, name: dimension.name, values: dimension.values.map { value in
                    .init(code: value.code, name: value.name, priceAdjustment: .init(value.priceAdjustment, currency),
                          leadTimeDays: value.leadTimeDays, skuFragment: value.skuFragment, active: value.active)
                })
            },
            exclusions: definition.exclusions.map { .init(additionalProperties: $0) },
            variants: definition.variants?.map { .init(selection: .init(additionalProperties: $0.selection), sku: $0.sku) },
            optionSets: definition.optionSets.map { set in
                .init(code: set.code, name: set.name, minSelect: set.minSelect, maxSelect: set.maxSelect,
                      options: set.options.map { .init(code: $0.code, name: $0.name, surcharge: .init($0.surcharge, currency), active: $0.active) })
            }
        )
        self.weightGrams = definition.weightGrams
    }
}

extension Components.Schemas.Product {
    init(_ product: Product) {
        let currency = product.definition.currency
        self.init(
            id: product.id, revision: product.revision, templateVersion: product.templateVersion,
            archivedAt: product.archivedAt, createdAt: product.createdAt, updatedAt: product.updatedAt,
            priceRange: .init(min: .init(product.minPrice, currency), max: .init(product.maxPrice, currency)),
            leadTimeDays: .init(min: product.minLeadDays, max: product.maxLeadDays),
            definition: .init(product.definition)
        )
    }
}

extension Components.Schemas.ProductSummary {
    init(_ product: Product) {
        let currency = product.definition.currency
        let image = product.definition.media.first
        self.init(
            id: product.id, slug: product.definition.slug, name: product.definition.name, category: product.definition.category,
            basePrice: .init(product.definition.basePrice, currency),
            priceRange: .init(min: .init(product.minPrice, currency), max: .init(product.maxPrice, currency)),
            leadTimeDays: .init(min: product.minLeadDays, max: product.maxLeadDays),
            image: image.map { .init(url: $0.url, altText: $0.altText, view: $0.view) },
            customizable: product.templateVersion != nil
        )
    }
}

extension Components.Schemas.PublicProduct {
    /// What shoppers see: only active values and options, availability without counts.
    init(_ product: Product, template: TemplateVersion?, availability: Availability) {
        let definition = product.definition
        let currency = definition.currency
        self.init(
            id: product.id, slug: definition.slug, name: definition.name, description: definition.description,
            category: definition.category, basePrice: .init(definition.basePrice, currency),
            priceRange: .init(min: .init(product.minPrice, currency), max: .init(product.maxPrice, currency)),
            leadTimeDays: .init(min: product.minLeadDays, max: product.maxLeadDays),
            media: definition.media.map { .init(url: $0.url, altText: $0.altText, view: $0.view) },
            dimensions: definition.dimensions.map { dimension in
                .init(code: dimension.code, name: dimension.name, values: dimension.values.filter(\.active).map {
                    .init(code: $0.code, name: $0.name, priceAdjustment: .init($0.priceAdjustment, currency), leadTimeDays: $0.leadTimeDays)
                })
            },
            exclusions: definition.exclusions.map { .init(additionalProperties: $0) },
            variants: definition.variants?.map { .init(additionalProperties: $0.selection) },
            optionSets: definition.optionSets.map { set in
                .init(code: set.code, name: set.name, minSelect: set.minSelect, maxSelect: set.maxSelect,
                      options: set.options.filter(\.active).map { .init(code: $0.code, name: $0.name, surcharge: .init($0.surcharge, currency)) })
            },
            template: template.map { .init($0, currency: currency) },
            available: availability.available,
            soldOut: .init(variants: availability.soldOutVariants.map { .init(additionalProperties: $0) },
                           components: availability.soldOutComponents)
        )
    }
}

extension TemplateDefinition {
    init(_ input: Components.Schemas.TemplateInput, money: inout MoneyReader, at root: String = "") {
        self.init(
            views: input.views.map { View(code: $0.code, name: $0.name, width: $0.width, height: $0.height, imageUrl: $0.imageUrl) },
            zones: input.zones.enumerated().map { z, zone in
                let at = root + "/zones/\(z)"
                return Zone(
                    code: zone.code, name: zone.name, kind: Kind(rawValue: zone.kind.rawValue)!, view: zone.view,
                    required: zone.required ?? false, surcharge: money.amount(zone.surcharge, at: at + "/surcharge"),
                    geometry: Geometry(x: zone.geometry.x, y: zone.geometry.y, width: zone.geometry.width,
                                       height: zone.geometry.height, rotation: zone.geometry.rotation ?? 0),
                    text: zone.text.map {
                        TextRules(minLength: $0.minLength ?? 0, maxLength: $0.maxLength, maxLines: $0.maxLines ?? 1,
                                  charset: Charset(rawValue: ($0.charset ?? .printable).rawValue)!, fonts: $0.fonts, colours: $0.colours)
                    },
                    image: zone.image.map {
                        ImageRules(allowedTypes: $0.allowedTypes, maxBytes: $0.maxBytes, minWidth: $0.minWidth, minHeight: $0.minHeight,
                                   maxWidth: $0.maxWidth, maxHeight: $0.maxHeight, printWidthMm: $0.printWidthMm,
                                   printHeightMm: $0.printHeightMm, minDpi: $0.minDpi)
                    },
                    colour: zone.colour.map { ColourRules(palette: $0.palette.map { Swatch(code: $0.code, name: $0.name, hex: $0.hex) }) },
                    components: zone.components.map { rules in
                        ComponentRules(min: rules.min, max: rules.max, items: rules.items.enumerated().map { i, item in
                            ComponentItem(code: item.code, name: item.name,
                                          price: money.amount(item.price, at: at + "/components/items/\(i)/price"),
                                          tracked: item.tracked ?? false)
                        })
                    }
                )
            }
        )
    }
}

extension Components.Schemas.TemplateInput {
    init(_ definition: TemplateDefinition, currency: String) {
        self.init(
            views: definition.views.map { .init(code: $0.code, name: $0.name, width: $0.width, height: $0.height, imageUrl: $0.imageUrl) },
            zones: definition.zones.map { zone in
                .init(
                    code: zone.code, name: zone.name, kind: .init(rawValue: zone.kind.rawValue)!, view: zone.view,
                    required: zone.required, surcharge: .init(zone.surcharge, currency),
                    geometry: .init(x: zone.geometry.x, y: zone.geometry.y, width: zone.geometry.width,
                                    height: zone.geometry.height, rotation: zone.geometry.rotation),
                    text: zone.text.map {
                        .init(minLength: $0.minLength, maxLength: $0.maxLength, maxLines: $0.maxLines,
                              charset: .init(rawValue: $0.charset.rawValue), fonts: $0.fonts, colours: $0.colours)
                    },
                    image: zone.image.map {
                        .init(allowedTypes: $0.allowedTypes, maxBytes: $0.maxBytes, minWidth: $0.minWidth, minHeight: $0.minHeight,
                              maxWidth: $0.maxWidth, maxHeight: $0.maxHeight, printWidthMm: $0.printWidthMm,
                              printHeightMm: $0.printHeightMm, minDpi: $0.minDpi)
                    },
                    colour: zone.colour.map { .init(palette: $0.palette.map { .init(code: $0.code, name: $0.name, hex: $0.hex) }) },
                    components: zone.components.map {
                        .init(min: $0.min, max: $0.max, items: $0.items.map {
                            .init(code: $0.code, name: $0.name, price: .init($0.price, currency), tracked: $0.tracked)
                        })
                    }
                )
            }
        )
    }
}

extension Components.Schemas.TemplateVersion {
    init(_ template: TemplateVersion, currency: String) {
        self.init(productId: template.productId, version: template.version, createdAt: template.createdAt,
                  definition: .init(template.definition, currency: currency))
    }
}

extension Components.Schemas.InventoryItem {
    init(_ item: InventoryItem) {
        switch item.target {
        case .variant(let selection):
            self.init(variant: .init(additionalProperties: selection), onHand: item.onHand, reserved: item.reserved, available: item.available)
        case .component(let code):
            self.init(component: code, onHand: item.onHand, reserved: item.reserved, available: item.available)
        }
    }
}
