import AtelierCore
import AtelierAssets
import AtelierCatalog
import Foundation
import SQLKit
import Synchronization

/// Checks customizations (a product, a pinned template version and the shopper's choices) against the
/// catalog as it is now and prices them through `PricingEngine`. Sessions check one; carts check all
/// their lines at once, with one query per kind of record however many lines there are.
public struct CustomizationCheck: Sendable {
    public struct Subject: Sendable {
        public var productId: String
        public var templateVersion: Int?
        public var state: CustomizationState

        public init(productId: String, templateVersion: Int?, state: CustomizationState) {
            self.productId = productId
            self.templateVersion = templateVersion
            self.state = state
        }
    }

    public struct Result: Sendable {
        /// nil when the product no longer exists.
        public var product: Product?
        public var template: TemplateVersion?
        /// Everything that stops this customization from being bought now.
        public var errors: [AtelierError.FieldError]
        public var unit: PricingEngine.UnitPrice
        public var leadTimeDays: Int
        public var currency: String
        public var unitWeightGrams: Int
        /// Tracked stock this customization draws on, per unit: inventory key → units.
        public var stockKeys: [String]
        public var valid: Bool { errors.isEmpty }
    }

    let memo: CatalogMemo?

    /// `memo` keeps products and template versions between calls; nil reads them every time.
    public init(memo: CatalogMemo? = nil) { self.memo = memo }

    /// Stock of the products involved, by product id then inventory key.
    public typealias Stock = [String: [String: InventoryItem]]

    public func check(_ subjects: [Subject], on db: any SQLDatabase) async throws -> (results: [Result], stock: Stock) {
        let productIds = Array(Set(subjects.map(\.productId))).sorted()
        let products = try await loadProducts(productIds, on: db)
        var templates: [String: TemplateVersion] = [:]
        for subject in subjects {
            guard let version = subject.templateVersion else { continue }
            let key = "\(subject.productId)#\(version)"
            if templates[key] == nil, let template = try await loadTemplate(productId: subject.productId, version: version, on: db) {
                templates[key] = template
            }
        }
        let stock = try await loadStock(productIds, on: db)
        let assetIds = Set(subjects.flatMap { $0.state.zones.values.compactMap(\.image) })
        let assets = try await loadAssets(assetIds, on: db)

        let results = subjects.map { subject in
            evaluate(subject, product: products[subject.productId],
                     template: subject.templateVersion.flatMap { templates["\(subject.productId)#\($0)"] },
                     stock: stock[subject.productId] ?? [:], assets: assets)
        }
        return (results, stock)
    }

    func evaluate(_ subject: Subject, product: Product?, template: TemplateVersion?, stock: [String: InventoryItem],
                  assets: [String: Asset]) -> Result {
        guard let product else {
            return Result(product: nil, template: nil,
                          errors: [.init(pointer: "", code: .productUnavailable, message: "this product is no longer offered.")],
                          unit: .init(base: 0), leadTimeDays: 0, currency: "", unitWeightGrams: 0, stockKeys: [])
        }
        let definition = product.definition
        let state = subject.state
        var errors: [AtelierError.FieldError] = []
        if !product.isPubliclyVisible {
            errors.append(.init(pointer: "", code: .productUnavailable, message: "this product is no longer offered."))
        }
        errors += definition.problems(ofSelection: state.selection) + definition.problems(ofOptions: state.options)
        var stockKeys: [String] = []
        if !definition.dimensions.isEmpty {
            let key = InventoryItem.key(for: .variant(state.selection))
            if let item = stock[key] {
                stockKeys.append(key)
                if errors.isEmpty, item.available == 0 {
                    errors.append(.init(pointer: "/selection", code: .soldOut, message: "this variant is sold out."))
                }
            }
        }
        var surcharge: Int64 = 0
        if subject.templateVersion != nil, template == nil {
            errors.append(.init(pointer: "/zones", code: .templateUnavailable, message: "the design template no longer exists."))
        } else if let template {
            let soldOutComponents = Set(stock.values.compactMap { item -> String? in
                if case .component(let code) = item.target, item.available == 0 { return code }
                return nil
            })
            let zones = ZoneValidation(template: template.definition, assets: assets, soldOutComponents: soldOutComponents)
            errors += zones.problems(of: state.zones)
            surcharge = zones.surcharge(for: state.zones)
            for value in state.zones.values {
                for code in value.components ?? [] {
                    let key = InventoryItem.key(for: .component(code))
                    if stock[key] != nil { stockKeys.append(key) }
                }
            }
        } else if !state.zones.isEmpty {
            errors.append(.init(pointer: "/zones", code: .notCustomizable, message: "this product has no customization zones."))
        }
        return Result(
            product: product, template: template, errors: errors,
            unit: PricingEngine.unitPrice(definition, selection: state.selection, options: state.options,
                                          customizationSurcharges: surcharge),
            leadTimeDays: definition.leadTimeDays(selection: state.selection),
            currency: definition.currency, unitWeightGrams: definition.weightGrams ?? 0, stockKeys: stockKeys
        )
    }

    private func loadProducts(_ ids: [String], on db: any SQLDatabase) async throws -> [String: Product] {
        var found: [String: Product] = [:]
        var missing: [String] = []
        let revision = memo?.revision
        for id in ids {
            if let revision, let product = memo?.product(id: id, at: revision) { found[id] = product } else { missing.append(id) }
        }
        let valid = missing.filter { Identifier.isWellFormed($0, prefix: "prod") }
        guard !valid.isEmpty else { return found }
        let rows = try await db.select().columns(ProductStore.columns.map { SQLColumn($0) }).from("products")
            .where("id", .in, valid).all(decoding: ProductStore.Row.self, with: ProductStore.rowDecoder)
        for row in rows {
            let product = try row.product()
            found[product.id] = product
            if let revision { memo?.keep(product, at: revision) }
        }
        return found
    }

    private func loadTemplate(productId: String, version: Int, on db: any SQLDatabase) async throws -> TemplateVersion? {
        // Published versions never change, so they are kept whatever the revision.
        if let template = memo?.template(productId: productId, version: version) { return template }
        guard let template = try await TemplateStore().find(productId: productId, version: version, on: db) else { return nil }
        memo?.keep(template)
        return template
    }

    private func loadStock(_ productIds: [String], on db: any SQLDatabase) async throws -> Stock {
        let valid = productIds.filter { Identifier.isWellFormed($0, prefix: "prod") }
        guard !valid.isEmpty else { return [:] }
        let rows = try await db.select().columns("product_id", "item_key", "on_hand", "reserved").from("inventory_items")
            .where("product_id", .in, valid).all(decoding: StockRow.self, with: InventoryStore.decoder)
        var stock: Stock = [:]
        for row in rows {
            guard let target = InventoryItem.target(fromKey: row.itemKey) else { continue }
            stock[row.productId, default: [:]][row.itemKey] = InventoryItem(target: target, onHand: row.onHand, reserved: row.reserved)
        }
        return stock
    }

    struct StockRow: Codable {
        var productId: String
        var itemKey: String
        var onHand: Int
        var reserved: Int
    }

    private func loadAssets(_ ids: Set<String>, on db: any SQLDatabase) async throws -> [String: Asset] {
        let valid = ids.filter(Asset.isWellFormedId).sorted()
        guard !valid.isEmpty else { return [:] }
        let rows = try await db.select().column("*").from("assets").where("id", .in, valid)
            .all(decoding: AssetStore.Row.self, with: AssetStore.decoder)
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.id, $0.asset) })
    }
}
