import AtelierCore

/// Whether catalog prices include tax (typical in the EU) or tax is added on top (typical in the US).
public enum TaxMode: String, Sendable, Codable, CaseIterable {
    case exclusive, inclusive
}
