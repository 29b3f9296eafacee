import AtelierCore
import Foundation

/// What a product can be sold as right now, for public reads: never counts, only yes or no.
public struct Availability: Sendable, Equatable {
    /// Whether at least one offered selection can be bought now.
    public var available: Bool
    /// Tracked variants that are sold out, as selections.
    public var soldOutVariants: [[String: String]]
    /// Tracked components that are sold out, by code.
    public var soldOutComponents: [String]
}
