import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AsyncHTTPClient
import Foundation
import NIOHTTP1

/// PayPal's Orders v2 (create, capture), Payments v2 (refund) and webhook verification over REST.
///
/// An OAuth client-credentials token is fetched once and reused until shortly before it expires.
/// Every POST carries `PayPal-Request-Id` so a retry after a lost answer returns the first result.
/// The purchase unit carries our checkout id as `custom_id`, which PayPal echoes on captures.
/// Webhook verification goes through its own client when one is given, so that traffic anyone can send
/// to `/webhooks/paypal` never queues in front of payments and refunds.
public struct PayPalGateway: PaymentGateway {
    public let kind = PaymentProviderKind.paypal
    public let settings: PayPalSettings
    let http: ProviderHTTP
    /// The verification calls' client: the webhook pool, or the payments client when there is none.
    let webhookHTTP: ProviderHTTP
    let tokens = TokenCache()

    public init(settings: PayPalSettings, client: HTTPClient = .shared, webhookClient: ProviderClient? = nil) {
        self.init(settings: settings, http: ProviderHTTP(provider: .paypal, client: client, timeout: settings.timeout), webhookClient: webhookClient)
    }

    /// Through `client`'s pool, which is made on first use and closed when the server stops.
    public init(settings: PayPalSettings, client: ProviderClient, webhookClient: ProviderClient? = nil) {
        self.init(settings: settings, http: ProviderHTTP(provider: .paypal, timeout: settings.timeout) { try client.client() },
                  webhookClient: webhookClient)
    }

    init(settings: PayPalSettings, http: ProviderHTTP, webhookClient: ProviderClient?) {
        self.settings = settings
        self.http = http
        if let webhookClient {
            self.webhookHTTP = ProviderHTTP(provider: .paypal, timeout: settings.webhookVerificationTimeout) { try webhookClient.client() }
        } else {
            self.webhookHTTP = ProviderHTTP(provider: .paypal, timeout: settings.webhookVerificationTimeout, client: http.client)
        }
    }

    public func createPayment(_ request: PaymentRequest) async throws(PaymentGatewayError) -> PaymentHandle {
        struct Created: Decodable {
            struct Link: Decodable {
                var href: String
                var rel: String
            }
            var id: String
            var links: [Link]?
        }
        var body: [String: Any] = [
            "intent": "CAPTURE",
            "purchase_units": [[
                "reference_id": request.checkoutId,
                "custom_id": request.checkoutId,
                "amount": ["currency_code": request.currency, "value": CurrencyUnits.decimalString(request.amount, currency: request.currency)],
            ]],
        ]
        var experience: [String: Any] = [:]
        if let url = settings.returnURL { experience["return_url"] = url.replacingOccurrences(of: "{checkoutId}", with: request.checkoutId) }
        if let url = settings.cancelURL { experience["cancel_url"] = url.replacingOccurrences(of: "{checkoutId}", with: request.checkoutId) }
        if !experience.isEmpty { body["payment_source"] = ["paypal": ["experience_context": experience]] }
        let created: Created = try await call(.POST, "/v2/checkout/orders", json: body, requestId: request.idempotencyKey)
        let approval = created.links?.first { $0.rel == "approve" || $0.rel == "payer-action" }?.href
        return PaymentHandle(reference: created.id, approvalURL: approval)
    }

    /// What capturing an approved order gave.
    public enum CaptureResult: Sendable, Equatable {
        /// A capture exists (completed, pending or declined) with its amount.
        case captured(PayPalWebhooks.Capture)
        /// The buyer's instrument was declined before any capture; the order stays approved.
        case declined(reference: String)
    }

    /// An Orders v2 order as PayPal shows it (the parts Atelier reads).
    struct OrderAnswer: Decodable {
        struct Unit: Decodable {
            struct Payments: Decodable { var captures: [PayPalWebhooks.CaptureResource]? }
            var custom_id: String?
            var payments: Payments?
        }
        var id: String
        var status: String?
        var purchase_units: [Unit]?
    }

    public func capture(orderId: String, idempotencyKey: String) async throws(PaymentGatewayError) -> CaptureResult {
        do throws(PaymentGatewayError) {
            let order: OrderAnswer = try await call(.POST, "/v2/checkout/orders/\(Self.pathSegment(orderId))/capture", json: [:],
                                                 requestId: idempotencyKey)
            let unit = order.purchase_units?.first
            guard let resource = unit?.payments?.captures?.first, let capture = resource.capture(orderId: order.id, customId: unit?.custom_id) else {
                throw PaymentGatewayError(provider: .paypal, status: 200, code: "no_capture", message: "order \(order.id) has no capture",
                                          transient: false)
            }
            return .captured(capture)
        } catch let error where error.code == "INSTRUMENT_DECLINED" {
            return .declined(reference: orderId)
        }
    }

    public func refund(_ request: RefundRequest) async throws(PaymentGatewayError) -> Int64 {
        struct Refunded: Decodable {
            struct Amount: Decodable {
                var value: String
                var currency_code: String
            }
            var id: String
            var status: String
            var amount: Amount?
        }
        let refund: Refunded = try await call(
            .POST, "/v2/payments/captures/\(Self.pathSegment(request.paymentRef))/refund",
            json: ["amount": ["currency_code": request.currency, "value": CurrencyUnits.decimalString(request.amount, currency: request.currency)]],
            requestId: request.idempotencyKey)
        guard refund.status == "COMPLETED" || refund.status == "PENDING" else {
            throw PaymentGatewayError(provider: .paypal, status: 200, code: "refund_\(refund.status.lowercased())",
                                      message: "refund \(refund.id) is \(refund.status)", transient: false)
        }
        return refund.amount.flatMap { CurrencyUnits.minorUnits($0.value, currency: $0.currency_code) } ?? request.amount
    }

    /// `APPROVED` needs a capture (`approved`); `COMPLETED` with a completed capture is the payment, under the
    /// capture's event id, so its `PAYMENT.CAPTURE.COMPLETED` webhook arriving later is a duplicate.
    public func lookup(_ reference: String) async throws(PaymentGatewayError) -> ProviderPaymentStatus {
        let path = "/v2/checkout/orders/\(Self.pathSegment(reference))"
        let (status, raw) = try await exchange(.GET, path, rawJSON: nil, requestId: nil)
        let order: OrderAnswer = try decode(raw, status: status, path: path)
        switch order.status {
        case "APPROVED":
            return .approved(orderId: order.id)
        case "COMPLETED":
            let unit = order.purchase_units?.first
            let captures = unit?.payments?.captures ?? []
            // Kept in the shape of a webhook event around the order, so the same allow-list minimizes it.
            let payload = #"{"resource":"# + String(decoding: raw, as: UTF8.self) + "}"
            guard let resource = captures.first(where: { $0.status == "COMPLETED" }),
                  let event = resource.capture(orderId: order.id, customId: unit?.custom_id)?.paymentEvent(payload: payload)
            else { return .open(captures.first?.status ?? "COMPLETED") }
            return .succeeded(event)
        default:
            return .open(order.status ?? "unknown")
        }
    }

    /// Asks PayPal whether a delivery is genuine (`verify-webhook-signature`). The raw body is passed
    /// through byte for byte as the event, so no re-encoding can change what was signed.
    public func verifyWebhook(_ transmission: PayPalTransmission, rawBody: [UInt8]) async throws(PaymentGatewayError) -> Bool {
        struct Verdict: Decodable { var verification_status: String }
        func string(_ value: String) -> [UInt8] {
            (try? JSONEncoder().encode(value)).map(Array.init) ?? Array("\"\"".utf8)
        }
        var body = Array("{\"auth_algo\":".utf8) + string(transmission.authAlgorithm)
        body += Array(",\"cert_url\":".utf8) + string(transmission.certURL)
        body += Array(",\"transmission_id\":".utf8) + string(transmission.id)
        body += Array(",\"transmission_sig\":".utf8) + string(transmission.signature)
        body += Array(",\"transmission_time\":".utf8) + string(transmission.time)
        body += Array(",\"webhook_id\":".utf8) + string(settings.webhookId)
        body += Array(",\"webhook_event\":".utf8) + rawBody + Array("}".utf8)
        let verdict: Verdict = try await call(.POST, "/v1/notifications/verify-webhook-signature", rawJSON: body, requestId: nil, via: webhookHTTP)
        return verdict.verification_status == "SUCCESS"
    }

    // MARK: HTTP

    func call<Answer: Decodable>(_ method: HTTPMethod, _ path: String, json: [String: Any], requestId: String?) async throws(PaymentGatewayError) -> Answer {
        let body = (try? JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])).map(Array.init) ?? Array("{}".utf8)
        return try await call(method, path, rawJSON: body, requestId: requestId)
    }

    func call<Answer: Decodable>(_ method: HTTPMethod, _ path: String, rawJSON: [UInt8]?, requestId: String?, via route: ProviderHTTP? = nil)
        async throws(PaymentGatewayError) -> Answer {
        let (status, bytes) = try await exchange(method, path, rawJSON: rawJSON, requestId: requestId, via: route)
        return try decode(bytes, status: status, path: path)
    }

    /// A successful answer's status and body; a failure as PayPal described it. A request without a body (GET) is
    /// sent without one.
    func exchange(_ method: HTTPMethod, _ path: String, rawJSON: [UInt8]?, requestId: String?, via route: ProviderHTTP? = nil,
                  retried: Bool = false) async throws(PaymentGatewayError) -> (status: Int, body: [UInt8]) {
        let http = route ?? self.http
        let token = try await accessToken(via: http)
        var headers = [("Authorization", "Bearer \(token)")]
        if rawJSON != nil { headers.append(("Content-Type", "application/json")) }
        headers.append(("Prefer", "return=representation"))
        if let requestId { headers.append(("PayPal-Request-Id", requestId)) }
        let (status, bytes) = try await http.send(method, settings.apiBase + path, headers: headers, body: rawJSON)
        if status == 401, !retried {
            // The token expired early or was revoked: fetch a new one once.
            await tokens.clear()
            return try await exchange(method, path, rawJSON: rawJSON, requestId: requestId, via: http, retried: true)
        }
        guard (200..<300).contains(status) else {
            let failure = try? JSONDecoder().decode(PayPalFailure.self, from: Data(bytes))
            throw http.failure(status: status, code: failure?.details?.first?.issue ?? failure?.name ?? "http_\(status)",
                               message: failure?.message ?? String(decoding: bytes.prefix(300), as: UTF8.self))
        }
        return (status, bytes)
    }

    func decode<Answer: Decodable>(_ bytes: [UInt8], status: Int, path: String) throws(PaymentGatewayError) -> Answer {
        do {
            return try JSONDecoder().decode(Answer.self, from: Data(bytes))
        } catch {
            throw PaymentGatewayError(provider: .paypal, status: status, code: "unreadable_answer",
                                      message: "the answer to \(path) could not be read", transient: true)
        }
    }

    func accessToken(via http: ProviderHTTP) async throws(PaymentGatewayError) -> String {
        if let token = await tokens.current() { return token }
        struct Token: Decodable {
            var access_token: String
            var expires_in: Int?
        }
        let credentials = Data("\(settings.clientId):\(settings.clientSecret)".utf8).base64EncodedString()
        let (status, bytes) = try await http.send(.POST, settings.apiBase + "/v1/oauth2/token", headers: [
            ("Authorization", "Basic \(credentials)"), ("Content-Type", "application/x-www-form-urlencoded"),
        ], body: Array("grant_type=client_credentials".utf8))
        guard (200..<300).contains(status), let token = try? JSONDecoder().decode(Token.self, from: Data(bytes)) else {
            throw http.failure(status: status, code: status == 401 ? "invalid_client" : "token_\(status)",
                               message: "PayPal did not issue an access token")
        }
        await tokens.store(token.access_token, lifetime: TimeInterval(token.expires_in ?? 300))
        return token.access_token
    }

    struct PayPalFailure: Decodable {
        struct Detail: Decodable { var issue: String? }
        var name: String?
        var message: String?
        var details: [Detail]?
    }

    static func pathSegment(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
    }

    actor TokenCache {
        private var token: String?
        private var expires = Date.distantPast

        func current() -> String? {
            guard let token, Date() < expires else { return nil }
            return token
        }

        func store(_ token: String, lifetime: TimeInterval) {
            self.token = token
            // Renew a minute early, so a token never expires in flight.
            expires = Date().addingTimeInterval(max(0, lifetime - 60))
        }

        func clear() { token = nil }
    }
}
