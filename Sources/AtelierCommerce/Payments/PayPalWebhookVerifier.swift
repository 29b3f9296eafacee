import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Crypto
import Foundation

/// Decides whether a delivery to `/webhooks/paypal` is genuine without letting anonymous traffic turn
/// into calls to PayPal.
///
/// PayPal's signatures are checked by PayPal (`verify-webhook-signature`), so every delivery that gets
/// that far costs an outgoing call. Before any call, a delivery is refused when its `PAYPAL-*` headers are
/// missing or malformed, when its transmission time is more than `tolerance` away from now (as Stripe's
/// signature timestamps are), when its certificate URL is not https on a PayPal host (or on the configured
/// API's own origin, which is how a PayPal-compatible test server serves it), or when its body is not an
/// event with an `id` and an `event_type`. A verdict is then remembered per transmission id until that
/// transmission is out of tolerance anyway: a replay is answered from memory, copies arriving together
/// share one call, and a transmission id PayPal confirmed cannot be reused with other content.
public final class PayPalWebhookVerifier: Sendable {
    /// The call that asks PayPal; the gateway's `verifyWebhook` in production, a recording stand-in in tests.
    public typealias Verify = @Sendable (PayPalTransmission, [UInt8]) async throws -> Bool

    /// The five `PAYPAL-*` headers as received; nil when absent.
    public struct Headers: Sendable, Equatable {
        public var transmissionId: String?
        public var transmissionTime: String?
        public var transmissionSig: String?
        public var certURL: String?
        public var authAlgorithm: String?

        public init(transmissionId: String?, transmissionTime: String?, transmissionSig: String?, certURL: String?, authAlgorithm: String?) {
            self.transmissionId = transmissionId
            self.transmissionTime = transmissionTime
            self.transmissionSig = transmissionSig
            self.certURL = certURL
            self.authAlgorithm = authAlgorithm
        }
    }

    /// PayPal's API address; a certificate URL on the same origin is trusted too.
    public let apiBase: String
    public let tolerance: TimeInterval
    private let verifier: Verify
    let memory: VerdictMemory

    public init(apiBase: String, tolerance: TimeInterval = 300, capacity: Int = 4096, verify: @escaping Verify) {
        self.apiBase = apiBase
        self.tolerance = tolerance
        self.verifier = verify
        self.memory = VerdictMemory(capacity: max(1, capacity))
    }

    /// Verifies through the gateway (which calls PayPal on its own small connection pool).
    public convenience init(gateway: PayPalGateway, tolerance: TimeInterval = 300, capacity: Int = 4096) {
        self.init(apiBase: gateway.settings.apiBase, tolerance: tolerance, capacity: capacity) { transmission, body in
            try await gateway.verifyWebhook(transmission, rawBody: body)
        }
    }

    /// Returns when the delivery is genuine; throws the problem to answer otherwise: 400 `missing_signature`,
    /// `invalid_signature`, `stale_signature` or `malformed_event`, or 502 when PayPal could not be asked
    /// (PayPal then delivers again later).
    public func verify(_ headers: Headers, rawBody: [UInt8], now: Date) async throws {
        let (transmission, sentAt) = try check(headers, rawBody: rawBody, now: now)
        let digest = Self.digest(transmission, rawBody: rawBody)
        // Remembered until the transmission leaves the tolerance window: after that the time check refuses it.
        let expires = sentAt.addingTimeInterval(tolerance + 1)
        let lookup = await memory.verdict(for: transmission, rawBody: rawBody, digest: digest, now: now, expires: expires, verify: verifier)
        let verified: Bool
        switch lookup {
        case .reused:
            throw Self.invalid(.invalidSignature, "This transmission id was already delivered, with other content.")
        case .pending(let call):
            do {
                verified = try await call.value
            } catch let error as PaymentGatewayError {
                await memory.forget(transmission.id, digest: digest)
                throw error.problem
            } catch {
                await memory.forget(transmission.id, digest: digest)
                throw PaymentGatewayError(provider: .paypal, status: nil, code: "network_error", message: "verification failed",
                                          transient: true).problem
            }
        }
        await memory.settle(transmission.id, digest: digest, verified: verified)
        guard verified else { throw Self.invalid(.invalidSignature, "PayPal did not confirm this delivery's signature.") }
    }

    /// Everything that can be decided without PayPal: the headers' presence and shape, the transmission time,
    /// the certificate URL and the event's envelope.
    func check(_ headers: Headers, rawBody: [UInt8], now: Date) throws(AtelierError) -> (PayPalTransmission, sentAt: Date) {
        let named: [(String, String?)] = [
            ("PAYPAL-TRANSMISSION-ID", headers.transmissionId), ("PAYPAL-TRANSMISSION-TIME", headers.transmissionTime),
            ("PAYPAL-TRANSMISSION-SIG", headers.transmissionSig), ("PAYPAL-CERT-URL", headers.certURL), ("PAYPAL-AUTH-ALGO", headers.authAlgorithm),
        ]
        let missing = named.filter { ($0.1?.trimmingCharacters(in: .whitespaces) ?? "").isEmpty }.map { $0.0 }
        guard missing.isEmpty, let id = headers.transmissionId, let time = headers.transmissionTime, let signature = headers.transmissionSig,
              let certURL = headers.certURL, let algorithm = headers.authAlgorithm
        else { throw Self.invalid(.missingSignature, "Missing PayPal headers: \(missing.joined(separator: ", ")).") }
        guard (1...200).contains(id.utf8.count), id.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw Self.invalid(.invalidSignature, "PAYPAL-TRANSMISSION-ID must be 1–200 visible ASCII characters.")
        }
        guard (1...4000).contains(signature.utf8.count), signature.utf8.allSatisfy(Self.isBase64), Data(base64Encoded: signature) != nil else {
            throw Self.invalid(.invalidSignature, "PAYPAL-TRANSMISSION-SIG must be base64.")
        }
        guard algorithm.caseInsensitiveCompare("SHA256withRSA") == .orderedSame else {
            throw Self.invalid(.invalidSignature, "PAYPAL-AUTH-ALGO must be SHA256withRSA.")
        }
        guard let sentAt = Self.transmissionDate(time) else {
            throw Self.invalid(.invalidSignature, "PAYPAL-TRANSMISSION-TIME must be an ISO 8601 date and time.")
        }
        guard abs(now.timeIntervalSince(sentAt)) <= tolerance else {
            throw Self.invalid(.staleSignature, "The transmission time is more than \(Int(tolerance)) seconds away from now.")
        }
        guard isTrustedCertificateURL(certURL) else {
            throw Self.invalid(.invalidSignature, "PAYPAL-CERT-URL must be an https URL on a PayPal host.")
        }
        struct Envelope: Decodable {
            var id: String
            var event_type: String
        }
        guard let envelope = try? JSONDecoder().decode(Envelope.self, from: Data(rawBody)), !envelope.id.isEmpty, !envelope.event_type.isEmpty else {
            throw AtelierError(.badRequest, code: .malformedEvent, title: "Malformed event",
                               detail: "The event is not a PayPal event (no id or event_type).")
        }
        return (PayPalTransmission(id: id, time: time, signature: signature, certURL: certURL, authAlgorithm: algorithm), sentAt)
    }

    /// https on paypal.com or one of its subdomains (`api.paypal.com`, `api.sandbox.paypal.com`), or the
    /// configured API's own scheme, host and port.
    func isTrustedCertificateURL(_ text: String) -> Bool {
        guard text.utf8.count <= 2000, let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(),
              let host = url.host?.lowercased(), !host.isEmpty, url.user == nil, url.password == nil, url.fragment == nil
        else { return false }
        if scheme == "https", host == "paypal.com" || host.hasSuffix(".paypal.com"), url.port == nil || url.port == 443 {
            return true
        }
        guard let base = URLComponents(string: apiBase), let baseScheme = base.scheme?.lowercased(), let baseHost = base.host?.lowercased()
        else { return false }
        func port(_ components: URLComponents, _ scheme: String) -> Int { components.port ?? (scheme == "https" ? 443 : 80) }
        return scheme == baseScheme && host == baseHost && port(url, scheme) == port(base, baseScheme)
    }

    static func transmissionDate(_ text: String) -> Date? {
        guard text.utf8.count <= 100 else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }

    static func isBase64(_ byte: UInt8) -> Bool {
        (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) || byte == 0x2B || byte == 0x2F || byte == 0x3D
    }

    /// One digest of everything PayPal's verdict covers: the headers and the raw body, each length-prefixed.
    static func digest(_ transmission: PayPalTransmission, rawBody: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        for part in [transmission.id, transmission.time, transmission.signature, transmission.certURL, transmission.authAlgorithm] {
            let bytes = Array(part.utf8)
            hasher.update(data: Array("\(bytes.count):".utf8))
            hasher.update(data: bytes)
        }
        hasher.update(data: Array("\(rawBody.count):".utf8))
        hasher.update(data: rawBody)
        return Array(hasher.finalize())
    }

    static func invalid(_ code: AtelierError.Code, _ detail: String) -> AtelierError {
        AtelierError(.badRequest, code: code, title: "Webhook signature rejected", detail: detail)
    }
}
