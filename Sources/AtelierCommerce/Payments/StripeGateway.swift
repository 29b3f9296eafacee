import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AsyncHTTPClient
import Foundation

/// Stripe's PaymentIntents over its REST API: form-encoded requests, `Idempotency-Key` on every POST.
///
/// The intent carries our checkout id in `metadata[checkout_id]`; its `client_secret` goes to the
/// storefront, which confirms the payment with Stripe.js. Stripe then reports the outcome by webhook
/// (`payment_intent.succeeded` / `payment_intent.payment_failed`), the only thing that pays an order.
public struct StripeGateway: PaymentGateway {
    public let kind = PaymentProviderKind.stripe
    public let settings: StripeSettings
    let http: ProviderHTTP

    public init(settings: StripeSettings, client: HTTPClient = .shared) {
        self.init(settings: settings, http: ProviderHTTP(provider: .stripe, client: client, timeout: settings.timeout))
    }

    /// Through `client`'s pool, which is made on first use and closed when the server stops.
    public init(settings: StripeSettings, client: ProviderClient) {
        self.init(settings: settings, http: ProviderHTTP(provider: .stripe, timeout: settings.timeout) { try client.client() })
    }

    init(settings: StripeSettings, http: ProviderHTTP) {
        self.settings = settings
        self.http = http
    }

    public func createPayment(_ request: PaymentRequest) async throws(PaymentGatewayError) -> PaymentHandle {
        struct Intent: Decodable {
            var id: String
            var client_secret: String?
        }
        let intent: Intent = try await post("/v1/payment_intents", [
            ("amount", String(request.amount)),
            ("currency", request.currency.lowercased()),
            ("payment_method_types[]", "card"),
            ("metadata[checkout_id]", request.checkoutId),
        ], idempotencyKey: request.idempotencyKey)
        return PaymentHandle(reference: intent.id, clientSecret: intent.client_secret)
    }

    public func refund(_ request: RefundRequest) async throws(PaymentGatewayError) -> Int64 {
        struct Refund: Decodable {
            var id: String
            var amount: Int64
            var status: String?
        }
        let refund: Refund = try await post("/v1/refunds", [
            ("payment_intent", request.paymentRef),
            ("amount", String(request.amount)),
        ], idempotencyKey: request.idempotencyKey)
        guard refund.status != "failed", refund.status != "canceled" else {
            throw PaymentGatewayError(provider: .stripe, status: 200, code: "refund_\(refund.status ?? "failed")",
                                      message: "refund \(refund.id) \(refund.status ?? "")", transient: false)
        }
        return refund.amount
    }

    public func lookup(_ reference: String) async throws(PaymentGatewayError) -> ProviderPaymentStatus {
        struct Intent: Decodable {
            var id: String
            var status: String
            var amount: Int64?
            var amount_received: Int64?
            var currency: String?
            var metadata: [String: String]?
        }
        let (intent, raw): (Intent, [UInt8]) = try await get("/v1/payment_intents/\(Self.pathSegment(reference))")
        guard intent.status == "succeeded" else { return .open(intent.status) }
        // Kept in the shape of a webhook event around the intent, so the same allow-list minimizes it.
        let payload = #"{"data":{"object":"# + String(decoding: raw, as: UTF8.self) + "}}"
        return .succeeded(PaymentEvent(
            provider: .stripe, eventId: "payment_intent:\(intent.id):succeeded", kind: .succeeded, checkoutId: intent.metadata?["checkout_id"],
            providerRef: intent.id, amount: intent.amount_received ?? intent.amount ?? 0, currency: (intent.currency ?? "").uppercased(),
            payload: payload))
    }

    func get<Answer: Decodable>(_ path: String) async throws(PaymentGatewayError) -> (Answer, [UInt8]) {
        let (status, bytes) = try await http.send(.GET, settings.apiBase + path, headers: [
            ("Authorization", "Bearer \(settings.secretKey)"),
            ("Stripe-Version", "2024-06-20"),
        ], body: nil)
        return (try read(status: status, bytes: bytes, path: path), bytes)
    }

    func post<Answer: Decodable>(_ path: String, _ form: [(String, String)], idempotencyKey: String) async throws(PaymentGatewayError) -> Answer {
        let body = Array(FormEncoding.encode(form).utf8)
        let (status, bytes) = try await http.send(.POST, settings.apiBase + path, headers: [
            ("Authorization", "Bearer \(settings.secretKey)"),
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Idempotency-Key", idempotencyKey),
            ("Stripe-Version", "2024-06-20"),
        ], body: body)
        return try read(status: status, bytes: bytes, path: path)
    }

    func read<Answer: Decodable>(status: Int, bytes: [UInt8], path: String) throws(PaymentGatewayError) -> Answer {
        guard (200..<300).contains(status) else {
            let detail = try? JSONDecoder().decode(StripeFailure.self, from: Data(bytes)).error
            throw http.failure(status: status, code: detail?.code ?? detail?.type ?? "http_\(status)",
                               message: detail?.message ?? String(decoding: bytes.prefix(300), as: UTF8.self))
        }
        do {
            return try JSONDecoder().decode(Answer.self, from: Data(bytes))
        } catch {
            throw PaymentGatewayError(provider: .stripe, status: status, code: "unreadable_answer",
                                      message: "the answer to \(path) could not be read", transient: true)
        }
    }

    /// An id as one path segment: Stripe's ids are letters, digits and underscores.
    static func pathSegment(_ id: String) -> String {
        var allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        allowed.insert(charactersIn: "_-")
        return id.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}
