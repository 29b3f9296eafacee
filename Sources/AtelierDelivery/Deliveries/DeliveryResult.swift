import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import Foundation

/// What one attempt of a delivery gave, over whichever channel: an HTTP status (or an SMTP reply code), how
/// long it took, the start of the answer, the error when there was no answer, and the receiver's `Retry-After`.
public struct DeliveryResult: Sendable {
    public var status: Int?
    public var latencyMs: Int
    public var responseExcerpt: String?
    public var error: String?
    public var retryAfter: TimeInterval?

    public init(status: Int?, latencyMs: Int, responseExcerpt: String?, error: String?, retryAfter: TimeInterval?) {
        self.status = status
        self.latencyMs = latencyMs
        self.responseExcerpt = responseExcerpt
        self.error = error
        self.retryAfter = retryAfter
    }

    /// Nothing was sent, or nothing came back: `error` says why.
    public static func failed(_ error: String, latencyMs: Int = 0) -> DeliveryResult {
        DeliveryResult(status: nil, latencyMs: latencyMs, responseExcerpt: nil, error: error, retryAfter: nil)
    }

    public var succeeded: Bool { status.map { (200..<300).contains($0) } ?? false }
}
