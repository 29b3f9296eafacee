import AtelierCore
import AtelierAssets
import AtelierCatalog
import Foundation
import SQLKit

/// Everything wrong with a session right now, and what it costs so far.
public struct SessionEvaluation: Sendable, Equatable {
    public var errors: [AtelierError.FieldError]
    public var unitPrice: Int64
    public var leadTimeDays: Int
    public var currency: String
    public var valid: Bool { errors.isEmpty }
}
