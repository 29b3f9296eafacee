import Foundation
import Atelier
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

enum SecurityHeaders {
    /// No scripts anywhere; images only from this origin (previews reference uploaded assets); inline
    /// styles for the reference page; never framed.
    static let contentSecurityPolicy = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'"

    static func apply(to headers: inout HTTPFields) {
        headers[.xContentTypeOptions] = "nosniff"
        if headers[.contentSecurityPolicy] == nil { headers[.contentSecurityPolicy] = contentSecurityPolicy }
        if headers[.xFrameOptions] == nil { headers[.xFrameOptions] = "DENY" }
        if headers[.referrerPolicy] == nil { headers[.referrerPolicy] = "no-referrer" }
    }
}
