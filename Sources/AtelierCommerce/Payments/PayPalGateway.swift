import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AsyncHTTPClient
import Foundation
import NIOHTTP1

public struct PayPalSettings: Sendable, Equatable {
    public var clientId: String
    public var clientSecret: String
    /// `https://api-m.paypal.com` (live) or `https://api-m.sandbox.paypal.com`.
    public var apiBase: String
    /// The id PayPal gave the webhook pointing at `/webhooks/paypal`; part of every signature.
    public var webhookId: String
    /// Longest wait for one call, connection attempts included.
    public var timeout: Duration = .seconds(10)
    /// Longest wait for one webhook verification: anonymous requests trigger these, so they are cut short.
    public var webhookVerificationTimeout: Duration = .seconds(5)
    /// Where PayPal sends the buyer after approving, and after cancelling, on the storefront; `{checkoutId}` is
    /// replaced by the checkout's id. Nil: not sent (PayPal's JavaScript SDK then closes its window instead).
    public var returnURL: String?
    public var cancelURL: String?

    public init(clientId: String, clientSecret: String, apiBase: String = "https://api-m.paypal.com", webhookId: String) {
        self.clientId = clientId
        self.clientSecret = clientSecret
        self.apiBase = apiBase.hasSuffix("/") ? String(apiBase.dropLast()) : apiBase
        self.webhookId = webhookId
    }
}

/// The `PAYPAL-*` headers of a webhook delivery.
public struct PayPalTransmission: Sendable, Equatable {
    public var id: String
    public var time: String
    public var signature: String
    public var certURL: String
    public var authAlgorithm: String

    public init(id: String, time: String, signature: String, certURL: String, authAlgorithm: String) {
        self.id = id
        self.time = time
        self.signature = signature
        self.certURL = certURL
        self.authAlgorithm = authAlgorithm
    }
}

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

/// Reads the PayPal webhook events Atelier acts on.
public enum PayPalWebhooks {
    /// One capture as PayPal reports it, in minor units.
    public struct Capture: Sendable, Equatable {
        public var id: String
        public var status: String
        public var orderId: String?
        public var checkoutId: String?
        public var amount: Int64
        public var currency: String

        /// The payment fact: a capture is one event whatever told us about it (capture answer, webhook),
        /// so the second report is a duplicate.
        public func paymentEvent(payload: String) -> PaymentEvent? {
            let kind: PaymentEvent.Kind
            switch status {
            case "COMPLETED": kind = .succeeded
            case "DECLINED", "FAILED": kind = .failed
            default: return nil  // PENDING: the completion follows by webhook
            }
            return PaymentEvent(provider: .paypal, eventId: "capture:\(id):\(kind.rawValue)", kind: kind, checkoutId: checkoutId,
                                providerRef: id, amount: amount, currency: currency, payload: payload)
        }
    }

    struct CaptureResource: Decodable {
        struct Amount: Decodable {
            var value: String
            var currency_code: String
        }
        struct Supplementary: Decodable {
            struct Related: Decodable { var order_id: String? }
            var related_ids: Related?
        }
        var id: String
        var status: String
        var amount: Amount?
        var custom_id: String?
        var supplementary_data: Supplementary?

        func capture(orderId: String?, customId: String?) -> Capture? {
            guard let amount, let minor = CurrencyUnits.minorUnits(amount.value, currency: amount.currency_code) else { return nil }
            return Capture(id: id, status: status, orderId: orderId ?? supplementary_data?.related_ids?.order_id,
                           checkoutId: custom_id ?? customId, amount: minor, currency: amount.currency_code)
        }
    }

    /// What a verified event asks of us.
    public enum Action: Sendable, Equatable {
        /// The buyer approved the order: capture it.
        case capture(orderId: String, checkoutId: String?)
        /// A capture completed or was denied.
        case payment(PaymentEvent)
        case ignore
    }

    public static func action(from payload: [UInt8]) throws(AtelierError) -> (eventId: String, type: String, action: Action) {
        struct Event: Decodable {
            struct Resource: Decodable {
                struct Unit: Decodable { var custom_id: String? }
                var id: String?
                var purchase_units: [Unit]?
            }
            var id: String
            var event_type: String
        }
        let data = Data(payload)
        guard let event = try? JSONDecoder().decode(Event.self, from: data) else {
            throw AtelierError(.badRequest, code: .malformedEvent, title: "Malformed event", detail: "The event is not a PayPal event.")
        }
        let text = String(decoding: payload, as: UTF8.self)
        switch event.event_type {
        case "CHECKOUT.ORDER.APPROVED":
            struct Approved: Decodable {
                struct Resource: Decodable {
                    struct Unit: Decodable { var custom_id: String? }
                    var id: String
                    var purchase_units: [Unit]?
                }
                var resource: Resource
            }
            guard let approved = try? JSONDecoder().decode(Approved.self, from: data) else { return (event.id, event.event_type, .ignore) }
            return (event.id, event.event_type, .capture(orderId: approved.resource.id, checkoutId: approved.resource.purchase_units?.first?.custom_id))
        case "PAYMENT.CAPTURE.COMPLETED", "PAYMENT.CAPTURE.DENIED":
            struct Captured: Decodable { var resource: CaptureResource }
            guard let captured = try? JSONDecoder().decode(Captured.self, from: data),
                  let capture = captured.resource.capture(orderId: nil, customId: nil),
                  let payment = capture.paymentEvent(payload: text)
            else { return (event.id, event.event_type, .ignore) }
            return (event.id, event.event_type, .payment(payment))
        default:
            return (event.id, event.event_type, .ignore)
        }
    }
}
