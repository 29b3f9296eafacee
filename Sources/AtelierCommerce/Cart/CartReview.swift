import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Foundation
import SQLKit

/// A cart checked against the catalog as it is now: every line re-validated and re-priced, with flags
/// saying what changed since the shopper added it.
public struct CartReview: Sendable {
    /// Why a line needs the shopper's attention. Blocking flags stop a checkout; the others inform.
    public struct Flag: Sendable, Equatable {
        public var code: AtelierError.Code
        public var blocking: Bool
        public var message: String
        public var previousUnitPrice: Int64?
        public var currentUnitPrice: Int64?
        public var available: Int?

        public init(code: AtelierError.Code, blocking: Bool, message: String, previousUnitPrice: Int64? = nil,
                    currentUnitPrice: Int64? = nil, available: Int? = nil) {
            self.code = code
            self.blocking = blocking
            self.message = message
            self.previousUnitPrice = previousUnitPrice
            self.currentUnitPrice = currentUnitPrice
            self.available = available
        }
    }

    public struct Line: Sendable {
        public var line: CartLine
        public var product: Product?
        public var unit: PricingEngine.UnitPrice
        public var leadTimeDays: Int
        public var shipDate: String
        public var unitWeightGrams: Int
        /// Tracked stock one unit draws on (inventory keys of the line's product).
        public var stockKeys: [String]
        public var flags: [Flag]
        /// The problems behind a blocking flag, located like a session's errors.
        public var errors: [AtelierError.FieldError]

        public var amount: Int64 { unit.total * Int64(line.quantity) }
        public var blocked: Bool { flags.contains(where: \.blocking) }
    }

    public var cart: Cart
    public var lines: [Line]
    public var currency: String

    public var blocked: Bool { lines.contains(where: \.blocked) }
    /// The latest expected ship date of all lines; nil for an empty cart.
    public var shipDate: String? { lines.map(\.shipDate).max() }

    /// The lines as the pricing engine takes them; lines whose product is gone count as nothing.
    public var engineLines: [PricingEngine.LineInput] {
        lines.filter { $0.product != nil }.map {
            PricingEngine.LineInput(id: $0.line.id, unit: $0.unit, quantity: $0.line.quantity, unitWeightGrams: $0.unitWeightGrams)
        }
    }
}
