import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Foundation

/// The payment providers a checkout can use. `test` is built in: its payments are completed through
/// a documented local call, for development and tests; the others need their configuration.
public enum PaymentProviderKind: String, Sendable, Codable, CaseIterable {
    case test, stripe, paypal
}
