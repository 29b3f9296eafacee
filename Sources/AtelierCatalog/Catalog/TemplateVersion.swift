import AtelierCore
import Foundation

/// One published, immutable version of a product's customization template.
public struct TemplateVersion: Sendable, Equatable {
    public var id: String
    public var productId: String
    public var version: Int
    public var definition: TemplateDefinition
    public var createdAt: Date
    public var createdBy: String?
}
