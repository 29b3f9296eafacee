import AtelierCore
import Foundation

public struct Category: Sendable, Equatable {
    public var id: String
    public var slug: String
    public var name: String
    public var createdAt: Date
}
