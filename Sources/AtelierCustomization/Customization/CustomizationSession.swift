import AtelierCore
import AtelierAssets
import AtelierCatalog
import Foundation
import SQLKit

/// A shopper's customization in progress, pinned to the template version current when it started.
public struct CustomizationSession: Sendable, Equatable {
    public var id: String
    public var productId: String
    public var templateVersion: Int?
    public var state: CustomizationState
    public var previewJobId: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var expiresAt: Date
}
