import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import Foundation

/// Where messages go.
public protocol MailTransport: Sendable {
    /// Sends one message; answers a short description of what the receiving side said.
    func send(_ message: MailMessage) async throws -> String
    /// The longest one send may take before it gives up (a delivery's lease must outlast it).
    var longestSend: Duration { get }
}

extension MailTransport {
    public var longestSend: Duration { .seconds(5) }
}
