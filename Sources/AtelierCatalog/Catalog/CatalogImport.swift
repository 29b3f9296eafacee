import AtelierCore
import Foundation
import SQLKit

/// Bulk upload: many products with their templates, all or nothing.
///
/// Every item is validated before anything is written, and every problem of every item is reported at
/// once (pointers like `/products/3/dimensions/0/code`). Items are matched to existing products by
/// slug: a new slug creates a product, a known one replaces its definition, and a template that
/// differs from the current one is published as the next version.
public struct CatalogImport: Sendable {
    public static let maxItems = 1000

    public struct Item: Sendable {
        public var definition: ProductDefinition
        public var template: TemplateDefinition?

        public init(definition: ProductDefinition, template: TemplateDefinition? = nil) {
            self.definition = definition
            self.template = template
        }
    }

    public struct Outcome: Sendable, Equatable {
        public var created: [Product]
        public var updated: [Product]
        public var templatesPublished: Int
    }

    let products: ProductStore
    let templates: TemplateStore

    public init(products: ProductStore, templates: TemplateStore) {
        self.products = products
        self.templates = templates
    }

    /// `pointerForItem` names where an item came from: `/products/3` for JSON, `/rows/7` for CSV.
    public func apply(_ items: [Item], pointerForItem: (Int) -> String = { "/products/\($0)" }, by actor: String?,
                      on db: any SQLDatabase) async throws -> Outcome {
        var errors: [AtelierError.FieldError] = []
        if items.isEmpty { errors.append(.init(pointer: "/products", code: .required, message: "upload at least one product.")) }
        if items.count > Self.maxItems {
            errors.append(.init(pointer: "/products", code: .tooMany, message: "at most \(Self.maxItems) products per upload."))
        }
        try AtelierError.check(errors)
        var firstIndexOfSlug: [String: Int] = [:]
        let categories = try await CategoryStore().slugs(on: db)
        for (index, item) in items.enumerated() {
            let root = pointerForItem(index)
            errors += try await products.problems(of: item.definition, at: root, knownCategories: categories, on: db)
            if let template = item.template { errors += template.problems(at: root + "/template") }
            if let first = firstIndexOfSlug[item.definition.slug] {
                errors.append(.init(pointer: root + "/slug", code: .duplicateSlug,
                                    message: "'\(item.definition.slug)' is also at \(pointerForItem(first))."))
            } else {
                firstIndexOfSlug[item.definition.slug] = index
            }
        }
        try AtelierError.check(errors)

        var outcome = Outcome(created: [], updated: [], templatesPublished: 0)
        for item in items {
            var product: Product
            if let existing = try await products.find(item.definition.slug, on: db) {
                product = try await products.replace(id: existing.id, with: item.definition, on: db)
                outcome.updated.append(product)
            } else {
                product = try await products.create(item.definition, on: db)
                outcome.created.append(product)
            }
            if let template = item.template {
                let current = try await templates.current(for: product, on: db)
                if current?.definition != template {
                    _ = try await templates.publish(template, productId: product.id, by: actor, on: db)
                    outcome.templatesPublished += 1
                }
            }
        }
        return outcome
    }
}
