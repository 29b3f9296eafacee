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
