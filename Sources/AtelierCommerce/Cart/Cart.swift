import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Crypto
import Foundation

/// A shopper's cart: lines of customized products, found by an unguessable session key.
public struct Cart: Sendable, Equatable {
    public var id: String
    public var createdAt: Date
    public var updatedAt: Date
    public var expiresAt: Date
    public var lines: [CartLine]

    public var units: Int { lines.reduce(0) { $0 + $1.quantity } }
}

/// One line: a product in one variant with one customization, as the shopper made it. The snapshot
/// (choices and pinned template version) never changes; the price shown is recomputed on every read,
/// and `unitPrice` keeps the one the shopper saw when adding, to flag a change.
public struct CartLine: Sendable, Equatable {
    public var id: String
    public var lineKey: String
    /// Order of the lines in the cart: the order they were first added.
    public var position: Int
    public var productId: String
    public var templateVersion: Int?
    public var state: CustomizationState
    public var sessionId: String?
    public var previewAssetId: String?
    public var quantity: Int
    public var unitPrice: Int64
    public var currency: String
    public var createdAt: Date
    public var updatedAt: Date
}

/// Bounds on a cart, so that no cart can make a read or a checkout unboundedly expensive.
public struct CartLimits: Sendable, Equatable {
    public var maxQuantityPerLine: Int
    public var maxLines: Int
    public var maxUnits: Int

    public init(maxQuantityPerLine: Int = 100, maxLines: Int = 50, maxUnits: Int = 500) {
        self.maxQuantityPerLine = maxQuantityPerLine
        self.maxLines = maxLines
        self.maxUnits = maxUnits
    }
}

/// The opaque key that finds a cart: `cs_` and 32 random bytes in base64url. Only its SHA-256 is
/// stored, so a copy of the database does not hand out shoppers' carts.
public enum CartKey {
    public static let prefix = "cs_"

    public static func make() -> String { prefix + Secret.randomToken(bytes: 32) }

    public static func isWellFormed(_ key: String) -> Bool {
        key.hasPrefix(prefix) && key.utf8.count == prefix.utf8.count + 43
            && key.utf8.dropFirst(prefix.utf8.count).allSatisfy {
                ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D || $0 == 0x5F
            }
    }

    static func hash(_ key: String) -> String { Secret.sha256Hex(key) }
}

/// What makes two lines the same line: product, variant, add-ons, template version and zone values,
/// normalized so that choices that mean the same thing compare equal (option and component order,
/// Unicode normalization of texts, empty zones). Anything else makes a new line.
public enum LineIdentity {
    public static func key(productId: String, templateVersion: Int?, state: CustomizationState) -> String {
        var normalized = state
        normalized.options = state.options.filter { !$0.value.isEmpty }.mapValues { Array(Set($0)).sorted() }
        normalized.zones = state.zones.filter { !$0.value.isEmpty }.mapValues { value in
            var value = value
            value.text = value.text.map { text in
                var text = text
                text.text = text.text.replacingOccurrences(of: "\r\n", with: "\n").precomposedStringWithCanonicalMapping
                return text
            }
            value.components = value.components?.sorted()
            return value
        }
        let customization = (try? Coding.encode(Snapshot(templateVersion: templateVersion, options: normalized.options,
                                                          zones: normalized.zones))) ?? ""
        let digest = Hex.string(SHA256.hash(data: Data(customization.utf8)).prefix(16))
        return "\(productId)|\(VariantKey.make(state.selection))|\(digest)"
    }

    private struct Snapshot: Encodable {
        var templateVersion: Int?
        var options: [String: [String]]
        var zones: [String: CustomizationState.ZoneValue]
    }
}
