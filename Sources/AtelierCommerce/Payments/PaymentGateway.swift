import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// What a checkout asks a provider for: one payment of `amount` minor units.
public struct PaymentRequest: Sendable, Equatable {
    public var checkoutId: String
    public var amount: Int64
    public var currency: String
    /// Sent as the provider's idempotency key: a retry after a lost answer finds the same payment.
    public var idempotencyKey: String

    public init(checkoutId: String, amount: Int64, currency: String, idempotencyKey: String) {
        self.checkoutId = checkoutId
        self.amount = amount
        self.currency = currency
        self.idempotencyKey = idempotencyKey
    }
}

/// What the storefront needs to take the payment, and the provider's id for it.
public struct PaymentHandle: Sendable, Equatable {
    /// The PaymentIntent id (Stripe) or the order id (PayPal).
    public var reference: String
    public var clientSecret: String?
    public var approvalURL: String?

    public init(reference: String, clientSecret: String? = nil, approvalURL: String? = nil) {
        self.reference = reference
        self.clientSecret = clientSecret
        self.approvalURL = approvalURL
    }
}

/// Gives money back for a captured payment.
public struct RefundRequest: Sendable, Equatable {
    /// The payment's reference at the provider (PaymentIntent id, PayPal capture id).
    public var paymentRef: String
    public var amount: Int64
    public var currency: String
    public var idempotencyKey: String

    public init(paymentRef: String, amount: Int64, currency: String, idempotencyKey: String) {
        self.paymentRef = paymentRef
        self.amount = amount
        self.currency = currency
        self.idempotencyKey = idempotencyKey
    }
}

/// A provider call that did not work. `transient` failures (network, timeouts, 429, 5xx) may succeed
/// when retried with the same idempotency key; the others will not.
public struct PaymentGatewayError: Error, Sendable, Equatable, CustomStringConvertible {
    public var provider: PaymentProviderKind
    public var status: Int?
    public var code: String
    public var message: String
    public var transient: Bool

    public init(provider: PaymentProviderKind, status: Int?, code: String, message: String, transient: Bool) {
        self.provider = provider
        self.status = status
        self.code = code
        self.message = message
        self.transient = transient
    }

    public var description: String {
        "\(provider.rawValue) \(status.map(String.init) ?? "no answer") \(code): \(message)"
    }

    /// How the API reports it: 502, with a code that tells whether a retry may help.
    public var problem: AtelierError {
        transient
            ? AtelierError(.badGateway, code: .paymentProviderUnavailable, title: "Payment provider unavailable",
                           detail: "\(provider.rawValue) did not answer properly; retry with the same Idempotency-Key.")
            : AtelierError(.badGateway, code: .paymentProviderError, title: "Payment provider refused the request",
                           detail: "\(provider.rawValue) refused the request (\(code)).")
    }
}

/// A payment provider Atelier takes money through. Every call carries an idempotency key.
public protocol PaymentGateway: Sendable {
    var kind: PaymentProviderKind { get }
    /// Creates the payment the shopper will authorize (a PaymentIntent, a PayPal order).
    func createPayment(_ request: PaymentRequest) async throws(PaymentGatewayError) -> PaymentHandle
    /// Refunds a captured payment; answers the amount refunded.
    func refund(_ request: RefundRequest) async throws(PaymentGatewayError) -> Int64
    /// Asks what became of a payment (`reference`: the PaymentIntent or PayPal order id), for when its webhook is
    /// late or lost. Changes nothing at the provider.
    func lookup(_ reference: String) async throws(PaymentGatewayError) -> ProviderPaymentStatus
    /// Whether the gateway answers in-process, without a provider to call (the test provider): its payment is created
    /// with the checkout, in the same transaction; its refunds are complete when decided; there is nothing to look up.
    var settlesLocally: Bool { get }
}

extension PaymentGateway {
    public var settlesLocally: Bool { false }
}

/// The configured providers. The test provider's gateway is always at hand (it holds no money); whether shoppers
/// may choose it is the configuration's `paymentProviders`.
public struct PaymentGateways: Sendable {
    public var stripe: StripeGateway?
    public var paypal: PayPalGateway?
    /// Checks deliveries to `/webhooks/paypal` before and instead of asking PayPal; one per process, so
    /// its memory of verdicts is shared by every request.
    public var paypalWebhooks: PayPalWebhookVerifier?
    /// Gateways given by provider (tests plug recording gateways in here); they answer before `stripe` and `paypal`.
    private var byKind: [PaymentProviderKind: any PaymentGateway] = [:]

    public init(stripe: StripeGateway? = nil, paypal: PayPalGateway? = nil) {
        self.stripe = stripe
        self.paypal = paypal
        self.paypalWebhooks = paypal.map { PayPalWebhookVerifier(gateway: $0) }
    }

    /// Any gateways, by the provider they stand for.
    public init(_ gateways: [PaymentProviderKind: any PaymentGateway]) {
        self.init()
        byKind = gateways
    }

    public func gateway(for kind: PaymentProviderKind) -> (any PaymentGateway)? {
        if let gateway = byKind[kind] { return gateway }
        return switch kind {
        case .test: TestPaymentGateway()
        case .stripe: stripe
        case .paypal: paypal
        }
    }
}

/// Minor units per major unit (ISO 4217 exponents), for providers that take decimal strings.
public enum CurrencyUnits {
    static let zeroDecimal: Set<String> = ["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV",
                                           "XAF", "XOF", "XPF"]
    static let threeDecimal: Set<String> = ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"]

    public static func exponent(of currency: String) -> Int {
        zeroDecimal.contains(currency) ? 0 : threeDecimal.contains(currency) ? 3 : 2
    }

    /// `1234` USD → `"12.34"`; `500` JPY → `"500"`.
    public static func decimalString(_ amount: Int64, currency: String) -> String {
        let exponent = exponent(of: currency)
        guard exponent > 0 else { return String(amount) }
        var scale: Int64 = 1
        for _ in 0..<exponent { scale *= 10 }
        let sign = amount < 0 ? "-" : ""
        let magnitude = amount.magnitude
        let fraction = String(magnitude % UInt64(scale))
        return sign + String(magnitude / UInt64(scale)) + "." + String(repeating: "0", count: exponent - fraction.count) + fraction
    }

    /// `"12.34"` USD → `1234`; nil for anything that is not a plain decimal with at most the currency's digits.
    public static func minorUnits(_ text: String, currency: String) -> Int64? {
        let exponent = exponent(of: currency)
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = parts.first, !whole.isEmpty, whole.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
              whole.count <= 15
        else { return nil }
        var fraction = parts.count == 2 ? String(parts[1]) : ""
        guard fraction.count <= exponent, fraction.utf8.allSatisfy({ (0x30...0x39).contains($0) }), parts.count == 1 || !fraction.isEmpty
        else { return nil }
        fraction += String(repeating: "0", count: exponent - fraction.count)
        return Int64(whole + fraction)
    }
}

/// The small HTTP helper both gateways use: bounded bodies, timeouts, transient vs final failures.
struct ProviderHTTP: Sendable {
    let provider: PaymentProviderKind
    /// The client to send through, asked for at each call (a pool made on first use may be shut down by then).
    let client: @Sendable () throws -> HTTPClient
    var timeout: Duration

    init(provider: PaymentProviderKind, client: HTTPClient, timeout: Duration) {
        self.init(provider: provider, timeout: timeout) { client }
    }

    init(provider: PaymentProviderKind, timeout: Duration, client: @escaping @Sendable () throws -> HTTPClient) {
        self.provider = provider
        self.client = client
        self.timeout = timeout
    }

    func send(_ method: HTTPMethod, _ url: String, headers: [(String, String)], body: [UInt8]?) async throws(PaymentGatewayError)
        -> (status: Int, body: [UInt8]) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        do {
            let response = try await client().execute(request, timeout: .nanoseconds(timeout.nanoseconds))
            let bytes = try await response.body.collect(upTo: 1_048_576)
            return (Int(response.status.code), Array(bytes.readableBytesView))
        } catch {
            throw PaymentGatewayError(provider: provider, status: nil, code: "network_error", message: String(describing: error), transient: true)
        }
    }

    /// Status classes every provider shares: 429 and 5xx may pass later; other 4xx will not.
    func failure(status: Int, code: String, message: String) -> PaymentGatewayError {
        PaymentGatewayError(provider: provider, status: status, code: code, message: String(message.prefix(300)),
                            transient: status == 429 || status >= 500 || status == 409)
    }
}
