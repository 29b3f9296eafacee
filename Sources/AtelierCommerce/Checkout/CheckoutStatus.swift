import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Foundation

public enum CheckoutStatus: String, Sendable, Codable {
    case pending, paid, expired, cancelled
}
