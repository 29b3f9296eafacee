import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

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
