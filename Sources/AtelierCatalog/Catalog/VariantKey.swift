import AtelierCore

/// The canonical text form of a selection, used as an inventory key and to compare variants.
public enum VariantKey {
    public static func make(_ selection: [String: String]) -> String {
        selection.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ";")
    }
}
