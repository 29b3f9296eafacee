import AtelierCore
import Foundation

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
