import AtelierCore
import AtelierAssets
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import AtelierDelivery
import AtelierInsights
import AtelierPrivacy
import AtelierAccess
/// Made from the whole configuration at the top, so Payments never reads the configuration of others.
extension PaymentGateways {
    /// From the configuration: a gateway per configured provider, sharing `client` for payments and refunds;
    /// webhook verification goes through `webhookClient`'s own small pool when one is given.
    public init(_ configuration: AtelierConfiguration, client: ProviderClient, webhookClient: ProviderClient? = nil) {
        self.init(stripe: configuration.commerce.stripe.map { StripeGateway(settings: $0, client: client) },
                  paypal: configuration.commerce.paypal.map { PayPalGateway(settings: $0, client: client, webhookClient: webhookClient) })
    }
}
