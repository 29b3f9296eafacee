import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Crypto
import Foundation

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
