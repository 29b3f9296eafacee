import Foundation
import Atelier
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

extension HTTPField.Name {
    static let requestID = HTTPField.Name("X-Request-Id")!
    static let sessionKey = HTTPField.Name("X-Session-Key")!
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}
