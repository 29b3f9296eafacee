import AtelierCore
import Foundation
import SQLKit

/// Stock of tracked variants and components. Untracked items are made to order and have no record.
public struct InventoryStore: Sendable {
    public static let maxOnHand = 1_000_000
    private let clock: WallClock

    public init(clock: WallClock = .system) { self.clock = clock }

    public struct Setting: Sendable {
        public var target: InventoryItem.Target
        /// false: made to order, no stock counted (the record is removed).
        public var tracked: Bool
        public var onHand: Int

        public init(target: InventoryItem.Target, tracked: Bool, onHand: Int) {
            self.target = target
            self.tracked = tracked
            self.onHand = onHand
        }
    }

    struct Row: Codable {
        var itemKey: String
        var onHand: Int
        var reserved: Int
    }

    package static let decoder = SnakeCaseColumns.decoder

    /// Applies every setting or none: each target must exist on the product (a complete selection of
    /// known values, or a component of its current template).
    public func apply(_ settings: [Setting], to product: Product, template: TemplateDefinition?, on db: any SQLDatabase) async throws -> [InventoryItem] {
        var problems = ValidationErrors()
        let components = Set(template?.zones.compactMap(\.components).flatMap(\.items).map(\.code) ?? [])
        var seen = Set<String>()
        for (index, setting) in settings.enumerated() {
            let at = "/items/\(index)"
            switch setting.target {
            case .variant(let selection):
                if product.definition.dimensions.isEmpty {
                    problems.add(at + "/variant", .noVariants, "this product has no variant dimensions to track stock for.")
                }
                for error in product.definition.structuralProblems(of: selection, at: at + "/variant") {
                    problems.add(error.pointer, error.code, error.message)
                }
            case .component(let code):
                if !components.contains(code) {
                    problems.add(at + "/component", .unknownComponent, "the current template has no component '\(code)'.")
                }
            }
            if !(0...Self.maxOnHand).contains(setting.onHand) {
                problems.add(at + "/onHand", .outOfRange, "must be 0–\(Self.maxOnHand).")
            }
            if !seen.insert(InventoryItem.key(for: setting.target)).inserted {
                problems.add(at, .duplicateItem, "this item is listed twice.")
            }
        }
        try problems.check()
        let now = clock.now
        for setting in settings {
            let key = InventoryItem.key(for: setting.target)
            if setting.tracked {
                try await db.raw("""
                    INSERT INTO inventory_items (product_id, item_key, on_hand, reserved, updated_at)
                    VALUES (\(bind: product.id), \(bind: key), \(bind: setting.onHand), 0, \(bind: now))
                    ON CONFLICT (product_id, item_key) DO UPDATE SET on_hand = excluded.on_hand, updated_at = excluded.updated_at
                    """).run()
            } else {
                try await db.delete(from: "inventory_items").where("product_id", .equal, product.id)
                    .where("item_key", .equal, key).run()
            }
        }
        if !settings.isEmpty { try await CatalogRevision.bump(on: db) }
        return try await items(productId: product.id, on: db)
    }

    public func items(productId: String, on db: any SQLDatabase) async throws -> [InventoryItem] {
        try await db.select().columns("item_key", "on_hand", "reserved").from("inventory_items")
            .where("product_id", .equal, productId).orderBy("item_key")
            .all(decoding: Row.self, with: Self.decoder)
            .compactMap { row in
                InventoryItem.target(fromKey: row.itemKey).map { InventoryItem(target: $0, onHand: row.onHand, reserved: row.reserved) }
            }
    }

    /// What the public may know: whether something offered can be bought, and which tracked items are sold out.
    public static func availability(of product: Product, template: TemplateDefinition?, items: [InventoryItem]) -> Availability {
        var soldOutVariants: [[String: String]] = []
        var soldOutComponents: [String] = []
        var soldOutKeys = Set<String>()
        for item in items where item.available == 0 {
            switch item.target {
            case .variant(let selection):
                soldOutVariants.append(selection)
                soldOutKeys.insert(VariantKey.make(selection))
            case .component(let code):
                soldOutComponents.append(code)
            }
        }
        guard product.isPubliclyVisible else { return Availability(available: false, soldOutVariants: soldOutVariants, soldOutComponents: soldOutComponents) }
        var available: Bool
        if let offered = product.definition.offeredSelections() {
            available = offered.contains { !soldOutKeys.contains(VariantKey.make($0)) }
        } else {
            // Too many combinations to list: only a handful can be tracked and sold out.
            available = true
        }
        // A box needs `min` different components; it cannot be built when fewer remain.
        if available, let template {
            for rules in template.zones.compactMap(\.components) {
                let remaining = rules.items.filter { !soldOutComponents.contains($0.code) }.count
                if remaining < rules.min { available = false }
            }
        }
        return Availability(available: available, soldOutVariants: soldOutVariants, soldOutComponents: soldOutComponents)
    }
}
