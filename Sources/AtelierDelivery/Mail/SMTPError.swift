import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// A failed SMTP exchange: the reply code when the server gave one (4xx may pass later, 5xx will not).
public struct SMTPError: Error, CustomStringConvertible, Sendable {
    public var code: Int?
    public var message: String
    public var description: String { code.map { "SMTP \($0): \(message)" } ?? "SMTP: \(message)" }
}
