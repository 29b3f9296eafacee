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
import Synchronization
import Testing

/// Stands in for PayPal's `verify-webhook-signature`: answers `verdict` (or fails as PayPal being away)
/// after `delay`, and counts the calls.
final class RecordingPayPal: Sendable {
    private struct State {
        var calls = 0
        var failing = false
    }

    private let state = Mutex(State())
    let verdict: Bool
    let delay: Duration

    init(verdict: Bool = true, delay: Duration = .zero) {
        self.verdict = verdict
        self.delay = delay
    }

    var calls: Int { state.withLock { $0.calls } }

    func fail(_ failing: Bool) { state.withLock { $0.failing = failing } }

    func verify(_ transmission: PayPalTransmission, _ body: [UInt8]) async throws -> Bool {
        let failing = state.withLock { state -> Bool in
            state.calls += 1
            return state.failing
        }
        if delay > .zero { try await Task.sleep(for: delay) }
        if failing {
            throw PaymentGatewayError(provider: .paypal, status: nil, code: "network_error", message: "connection refused", transient: true)
        }
        return verdict
    }
}

@Suite struct PayPalWebhookTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let body = Array(#"{"id":"WH-1","event_type":"PAYMENT.CAPTURE.COMPLETED","resource":{"id":"CAP-1"}}"#.utf8)
    /// The configured API address, as a PayPal-compatible test server would be.
    static let base = "http://127.0.0.1:8089"

    static func headers(id: String? = "8d6ba4d0-a7e2-11ee-8bd1-0242ac120002", at time: Date = now,
                        cert: String? = "https://api.paypal.com/v1/notifications/certs/CERT-360caa42", sig: String? = "c2lnbmF0dXJl",
                        algo: String? = "SHA256withRSA") -> PayPalWebhookVerifier.Headers {
        .init(transmissionId: id, transmissionTime: ISO8601DateFormatter().string(from: time), transmissionSig: sig, certURL: cert,
              authAlgorithm: algo)
    }

    static func verifier(_ paypal: RecordingPayPal, capacity: Int = 4096) -> PayPalWebhookVerifier {
        PayPalWebhookVerifier(apiBase: base, capacity: capacity) { transmission, body in try await paypal.verify(transmission, body) }
    }

    /// The problem's code, or nil when the delivery was accepted.
    static func code(_ verifier: PayPalWebhookVerifier, _ headers: PayPalWebhookVerifier.Headers, body: [UInt8] = body,
                     at now: Date = now) async -> String? {
        do {
            try await verifier.verify(headers, rawBody: body, now: now)
            return nil
        } catch let error as AtelierError {
            return error.code.rawValue
        } catch {
            return "unexpected: \(error)"
        }
    }

    @Test func whatCanBeRefusedWithoutPayPalIsRefusedWithoutAskingIt() async {
        let paypal = RecordingPayPal()
        let verifier = Self.verifier(paypal)
        let none = PayPalWebhookVerifier.Headers(transmissionId: nil, transmissionTime: nil, transmissionSig: nil, certURL: nil, authAlgorithm: nil)
        #expect(await Self.code(verifier, none) == "missing_signature")
        #expect(await Self.code(verifier, Self.headers(sig: nil)) == "missing_signature")
        #expect(await Self.code(verifier, Self.headers(id: " ")) == "missing_signature")
        // More than five minutes away, in the past or the future.
        #expect(await Self.code(verifier, Self.headers(), at: Self.now.addingTimeInterval(301)) == "stale_signature")
        #expect(await Self.code(verifier, Self.headers(), at: Self.now.addingTimeInterval(-301)) == "stale_signature")
        var unreadable = Self.headers()
        unreadable.transmissionTime = "yesterday"
        #expect(await Self.code(verifier, unreadable) == "invalid_signature")
        // Certificates only from PayPal's hosts over https, or from the configured API itself.
        for cert in ["http://api.paypal.com/v1/notifications/certs/CERT-1", "https://paypal.com.evil.example/cert.pem",
                     "https://evil.example/cert.pem", "https://user@api.paypal.com/cert.pem", "https://api.paypal.com:8443/cert.pem",
                     "http://127.0.0.1:9999/_certs/fake.pem", "https://127.0.0.1:8089/_certs/fake.pem", "not a url"] {
            #expect(await Self.code(verifier, Self.headers(cert: cert)) == "invalid_signature", "\(cert)")
        }
        #expect(await Self.code(verifier, Self.headers(algo: "SHA1withRSA")) == "invalid_signature")
        #expect(await Self.code(verifier, Self.headers(sig: "not base64!")) == "invalid_signature")
        #expect(await Self.code(verifier, Self.headers(id: "has spaces in it")) == "invalid_signature")
        for body in ["{}", "[1]", #"{"id":"WH-1"}"#, #"{"event_type":"X"}"#, "not json"] {
            #expect(await Self.code(verifier, Self.headers(), body: Array(body.utf8)) == "malformed_event", "\(body)")
        }
        #expect(paypal.calls == 0)
    }

    @Test func aTransmissionIsVerifiedOnceAndItsIdCannotCarryOtherContent() async {
        let paypal = RecordingPayPal()
        let verifier = Self.verifier(paypal)
        let genuine = Self.headers()
        #expect(await Self.code(verifier, genuine) == nil)
        for _ in 0..<3 { #expect(await Self.code(verifier, genuine, at: Self.now.addingTimeInterval(200)) == nil) }
        #expect(paypal.calls == 1)
        // The configured API's own certificate URL (a PayPal-compatible test server's) is trusted too.
        #expect(await Self.code(verifier, Self.headers(id: "tx-2", cert: Self.base + "/_certs/fake.pem")) == nil)
        #expect(paypal.calls == 2)
        // PayPal confirmed the first id: the same id with another body or signature is a forgery, refused from memory.
        let forged = Array(#"{"id":"WH-1","event_type":"PAYMENT.CAPTURE.COMPLETED","resource":{"id":"CAP-2"}}"#.utf8)
        #expect(await Self.code(verifier, genuine, body: forged) == "invalid_signature")
        #expect(await Self.code(verifier, Self.headers(sig: "b3RoZXI=")) == "invalid_signature")
        #expect(paypal.calls == 2)
        // Out of tolerance, a replay is stale before anything is remembered or asked.
        #expect(await Self.code(verifier, genuine, at: Self.now.addingTimeInterval(301)) == "stale_signature")
        #expect(paypal.calls == 2)
    }

    @Test func aRefusalIsRememberedButPayPalBeingAwayIsNot() async {
        let refusing = RecordingPayPal(verdict: false)
        let verifier = Self.verifier(refusing)
        #expect(await Self.code(verifier, Self.headers()) == "invalid_signature")
        #expect(await Self.code(verifier, Self.headers()) == "invalid_signature")
        #expect(refusing.calls == 1)

        let away = RecordingPayPal()
        let other = Self.verifier(away)
        away.fail(true)
        #expect(await Self.code(other, Self.headers()) == "payment_provider_unavailable")
        away.fail(false)
        #expect(await Self.code(other, Self.headers()) == nil)
        #expect(away.calls == 2)
    }

    @Test func copiesArrivingTogetherShareOneCall() async {
        let paypal = RecordingPayPal(delay: .milliseconds(200))
        let verifier = Self.verifier(paypal)
        let codes = await withTaskGroup(of: String?.self) { group -> [String?] in
            for _ in 0..<8 { group.addTask { await Self.code(verifier, Self.headers()) } }
            var codes: [String?] = []
            for await code in group { codes.append(code) }
            return codes
        }
        #expect(codes.count == 8 && codes.allSatisfy { $0 == nil })
        #expect(paypal.calls == 1)
    }

    @Test func theMemoryIsBounded() async {
        let paypal = RecordingPayPal()
        let verifier = Self.verifier(paypal, capacity: 4)
        for index in 0..<10 { #expect(await Self.code(verifier, Self.headers(id: "tx-\(index)")) == nil) }
        #expect(await verifier.memory.count <= 4)
        #expect(paypal.calls == 10)
        // The oldest verdicts made room: the first transmission is asked about again; the last is remembered.
        #expect(await Self.code(verifier, Self.headers(id: "tx-0")) == nil)
        #expect(await Self.code(verifier, Self.headers(id: "tx-9")) == nil)
        #expect(paypal.calls == 11)
    }
}
