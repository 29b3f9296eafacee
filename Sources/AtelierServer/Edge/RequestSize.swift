import Atelier
import Hummingbird

/// Bounds on what a request's head may carry, checked before anything (a cache, a rate limiter, a
/// cookie parser) keys a map on it. Browsers and storefronts stay far below them.
enum RequestSize {
    /// Path and query together.
    static let maxTargetBytes = 8192
    /// One header's value.
    static let maxFieldBytes = 8192
    /// All headers' names and values together.
    static let maxHeaderBytes = 32_768

    static func check(_ request: Request) throws {
        if request.uri.description.utf8.count > maxTargetBytes {
            throw AtelierError(.uriTooLong, code: .uriTooLong, title: "Request target too long",
                               detail: "The path and query may be at most \(maxTargetBytes) bytes.")
        }
        var total = 0
        for field in request.headers {
            let size = field.value.utf8.count
            total += field.name.rawName.utf8.count + size
            if size > maxFieldBytes || total > maxHeaderBytes {
                throw AtelierError(.headersTooLarge, code: .headersTooLarge, title: "Request headers too large",
                                   detail: "A header may be at most \(maxFieldBytes) bytes and all of them \(maxHeaderBytes).")
            }
        }
    }
}
