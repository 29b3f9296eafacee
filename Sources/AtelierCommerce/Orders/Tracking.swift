import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Foundation

public struct Tracking: Sendable, Codable, Equatable {
    public var carrier: String
    public var number: String
    public var url: String?

    public init(carrier: String, number: String, url: String? = nil) {
        self.carrier = carrier
        self.number = number
        self.url = url
    }
}
