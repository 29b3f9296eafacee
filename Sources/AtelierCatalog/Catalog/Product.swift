import AtelierCore
import Foundation

/// A product as stored: its definition plus what the store keeps about it.
public struct Product: Sendable, Equatable {
    public var id: String
    public var definition: ProductDefinition
    /// The current (latest) template version, if the product is customizable.
    public var templateVersion: Int?
    /// Increases with every change to the product or its template.
    public var revision: Int
    public var archivedAt: Date?
    public var createdAt: Date
    public var updatedAt: Date
    public var minPrice: Int64
    public var maxPrice: Int64
    public var minLeadDays: Int
    public var maxLeadDays: Int

    public var isPubliclyVisible: Bool { definition.active && archivedAt == nil }
}

/// What a product can be sold as right now, for public reads: never counts, only yes or no.
public struct Availability: Sendable, Equatable {
    /// Whether at least one offered selection can be bought now.
    public var available: Bool
    /// Tracked variants that are sold out, as selections.
    public var soldOutVariants: [[String: String]]
    /// Tracked components that are sold out, by code.
    public var soldOutComponents: [String]
}

public struct Category: Sendable, Equatable {
    public var id: String
    public var slug: String
    public var name: String
    public var createdAt: Date
}

/// One published, immutable version of a product's customization template.
public struct TemplateVersion: Sendable, Equatable {
    public var id: String
    public var productId: String
    public var version: Int
    public var definition: TemplateDefinition
    public var createdAt: Date
    public var createdBy: String?
}

/// Stock of one tracked variant or component. Untracked items (made to order) have no record.
public struct InventoryItem: Sendable, Equatable {
    public enum Target: Sendable, Equatable {
        case variant([String: String])
        case component(String)
    }

    public var target: Target
    public var onHand: Int
    public var reserved: Int

    package init(target: Target, onHand: Int, reserved: Int) {
        self.target = target
        self.onHand = onHand
        self.reserved = reserved
    }

    public var available: Int { max(0, onHand - reserved) }

    var key: String { Self.key(for: target) }

    package static func key(for target: Target) -> String {
        switch target {
        case .variant(let selection): "variant:" + VariantKey.make(selection)
        case .component(let code): "component:" + code
        }
    }

    package static func target(fromKey key: String) -> Target? {
        if key.hasPrefix("component:") { return .component(String(key.dropFirst("component:".count))) }
        guard key.hasPrefix("variant:") else { return nil }
        let body = key.dropFirst("variant:".count)
        var selection: [String: String] = [:]
        for pair in body.split(separator: ";") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { return nil }
            selection[String(parts[0])] = String(parts[1])
        }
        return .variant(selection)
    }
}
