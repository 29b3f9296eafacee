@testable import Atelier
@testable import AtelierCore
@testable import AtelierAssets
@testable import AtelierCatalog
@testable import AtelierCustomization
@testable import AtelierCommerce
@testable import AtelierDelivery
@testable import AtelierInsights
@testable import AtelierPrivacy
@testable import AtelierAccess
import Foundation
import Testing

@Suite struct StripeWebhookTests {
    /// A body and the headers Stripe's official Python library (`stripe.WebhookSignature.generate_signature_header`)
    /// produced for it with secrets `whsec_test123` and `whsec_other` at t=1800000000.
    static let body = "{\n  \"data\": {\n    \"object\": {\n      \"amount\": 7600,\n      \"currency\": \"usd\",\n      \"id\": \"pi_test123\",\n      \"metadata\": {\n        \"checkout_id\": \"chk_x\"\n      },\n      \"object\": \"payment_intent\",\n      \"status\": \"succeeded\"\n    }\n  },\n  \"id\": \"evt_test1\",\n  \"object\": \"event\",\n  \"type\": \"payment_intent.succeeded\"\n}"
    static let header = "t=1800000000,v1=3187b659bd2a9d6547490e102d19138217229a4a5de1758193843c1c0b08dc05"
    static let otherHeader = "t=1800000000,v1=fa42ef80bb951700e99ba992605502baebf3a1b39067f29eb81ae39b9ee8088f"
    static let signedAt = Date(timeIntervalSince1970: 1_800_000_000)

    func code(_ verifier: StripeWebhookVerifier, body: String = body, header: String?, at date: Date = signedAt) -> String? {
        do {
            try verifier.verify(payload: Array(body.utf8), header: header, now: date)
            return nil
        } catch {
            return error.code.rawValue
        }
    }

    @Test func signaturesMadeByStripesLibraryVerify() {
        let verifier = StripeWebhookVerifier(secrets: ["whsec_test123"])
        #expect(code(verifier, header: Self.header) == nil)
        // Within five minutes either way, not beyond.
        #expect(code(verifier, header: Self.header, at: Self.signedAt.addingTimeInterval(299)) == nil)
        #expect(code(verifier, header: Self.header, at: Self.signedAt.addingTimeInterval(-299)) == nil)
        #expect(code(verifier, header: Self.header, at: Self.signedAt.addingTimeInterval(301)) == "stale_signature")
        #expect(code(verifier, header: Self.header, at: Self.signedAt.addingTimeInterval(-301)) == "stale_signature")
    }

    @Test func anythingElseIsRefused() {
        let verifier = StripeWebhookVerifier(secrets: ["whsec_test123"])
        // One changed byte of the body, the same JSON re-encoded, another secret, no or broken headers.
        #expect(code(verifier, body: Self.body.replacingOccurrences(of: "7600", with: "7601"), header: Self.header) == "invalid_signature")
        #expect(code(verifier, body: Self.body.replacingOccurrences(of: "\n  ", with: "\n "), header: Self.header) == "invalid_signature")
        #expect(code(verifier, header: Self.otherHeader) == "invalid_signature")
        #expect(code(verifier, header: nil) == "missing_signature")
        #expect(code(verifier, header: "t=1800000000") == "invalid_signature")
        #expect(code(verifier, header: "v1=3187b659bd2a9d6547490e102d19138217229a4a5de1758193843c1c0b08dc05") == "invalid_signature")
        #expect(code(verifier, header: "t=1800000001,v1=3187b659bd2a9d6547490e102d19138217229a4a5de1758193843c1c0b08dc05") == "invalid_signature")
        #expect(code(verifier, header: "garbage") == "invalid_signature")
    }

    @Test func secretsRotateWithoutAGap() {
        // While rotating, both secrets are configured and either signature counts; a header may carry several.
        let rotating = StripeWebhookVerifier(secrets: ["whsec_other", "whsec_test123"])
        #expect(code(rotating, header: Self.header) == nil)
        #expect(code(rotating, header: Self.otherHeader) == nil)
        let several = "t=1800000000,v1=0000000000000000000000000000000000000000000000000000000000000000,v1=3187b659bd2a9d6547490e102d19138217229a4a5de1758193843c1c0b08dc05"
        #expect(code(StripeWebhookVerifier(secrets: ["whsec_test123"]), header: several) == nil)
    }

    @Test func paymentIntentEventsBecomePaymentEvents() throws {
        let event = try #require(try StripeWebhookVerifier.paymentEvent(from: Data(Self.body.utf8)))
        #expect(event.provider == .stripe && event.eventId == "evt_test1" && event.kind == .succeeded)
        #expect(event.checkoutId == "chk_x" && event.providerRef == "pi_test123" && event.amount == 7600 && event.currency == "USD")
        let other = Self.body.replacingOccurrences(of: "payment_intent.succeeded", with: "customer.created")
        #expect(try StripeWebhookVerifier.paymentEvent(from: Data(other.utf8)) == nil)
        #expect(throws: AtelierError.self) { try StripeWebhookVerifier.paymentEvent(from: Data("[1]".utf8)) }
    }
}
