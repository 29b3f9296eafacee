import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Crypto
import Foundation

/// Verifies Stripe's webhook signatures and reads the payment events Atelier acts on.
///
/// `Stripe-Signature: t=<unix time>,v1=<hex>[,v1=<hex>…]` where each `v1` is HMAC-SHA256 of
/// `"<t>.<raw body>"` keyed with the endpoint secret (the whole `whsec_…` string). Several secrets may be
/// configured at once so a secret can rotate without a gap; a signature made with any of them counts.
/// The timestamp must be within `tolerance` of now, in the past or the future, so a captured request
/// cannot be replayed later. The raw bytes are verified, never re-encoded JSON.
public struct StripeWebhookVerifier: Sendable {
    public let secrets: [String]
    public let tolerance: TimeInterval

    public init(secrets: [String], tolerance: TimeInterval = 300) {
        self.secrets = secrets
        self.tolerance = tolerance
    }

    public func verify(payload: some Collection<UInt8>, header: String?, now: Date) throws(AtelierError) {
        guard let header, !header.isEmpty else { throw Self.invalid(.missingSignature, "The Stripe-Signature header is missing.") }
        var timestamp: Int?
        var signatures: [String] = []
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            let name = pair[0].trimmingCharacters(in: .whitespaces), value = pair[1].trimmingCharacters(in: .whitespaces)
            if name == "t" { timestamp = Int(value) } else if name == "v1" { signatures.append(value.lowercased()) }
        }
        guard let timestamp, !signatures.isEmpty else {
            throw Self.invalid(.invalidSignature, "The Stripe-Signature header has no timestamp or no v1 signature.")
        }
        guard abs(now.timeIntervalSince1970 - TimeInterval(timestamp)) <= tolerance else {
            throw Self.invalid(.staleSignature, "The signature's timestamp is more than \(Int(tolerance)) seconds away from now.")
        }
        var message = Data("\(timestamp).".utf8)
        message.append(contentsOf: payload)
        for secret in secrets {
            let expected = Hex.string(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(secret.utf8))))
            if signatures.contains(where: { Secret.constantTimeEquals($0, expected) }) { return }
        }
        throw Self.invalid(.invalidSignature, "No signature matches a configured webhook secret.")
    }

    static func invalid(_ code: AtelierError.Code, _ detail: String) -> AtelierError {
        AtelierError(.badRequest, code: code, title: "Webhook signature rejected", detail: detail)
    }

    /// The payment fact in a verified event, or nil for events Atelier does not act on.
    public static func paymentEvent(from payload: Data) throws(AtelierError) -> PaymentEvent? {
        struct Event: Decodable {
            struct Body: Decodable {
                struct Intent: Decodable {
                    var id: String
                    var amount: Int64?
                    var amount_received: Int64?
                    var currency: String?
                    var metadata: [String: String]?
                }
                var object: Intent
            }
            var id: String
            var type: String
            var data: Body
        }
        let event: Event
        do {
            event = try JSONDecoder().decode(Event.self, from: payload)
        } catch {
            throw AtelierError(.badRequest, code: .malformedEvent, title: "Malformed event", detail: "The event is not a Stripe event.")
        }
        let kind: PaymentEvent.Kind
        switch event.type {
        case "payment_intent.succeeded": kind = .succeeded
        case "payment_intent.payment_failed": kind = .failed
        default: return nil
        }
        let intent = event.data.object
        return PaymentEvent(
            provider: .stripe, eventId: event.id, kind: kind, checkoutId: intent.metadata?["checkout_id"], providerRef: intent.id,
            // What was actually received when Stripe says so; the intent's amount otherwise.
            amount: intent.amount_received ?? intent.amount ?? 0, currency: (intent.currency ?? "").uppercased(),
            payload: String(decoding: payload, as: UTF8.self))
    }
}
