/// What a provider answers when asked about one payment, instead of telling us by webhook.
///
/// Webhooks can be lost (an endpoint misconfigured or down), so a pending checkout's payment is also looked up at
/// its provider. Only a success matters here: it is applied exactly as its webhook would have been.
import AtelierCore
import AtelierCatalog
import AtelierCustomization
public enum ProviderPaymentStatus: Sendable, Equatable {
    /// No money has moved yet: the shopper has not paid, an attempt failed, or the provider is still at work.
    /// Carries the provider's own status word, for logs.
    case open(String)
    /// The buyer approved a PayPal order: money moves only once it is captured.
    case approved(orderId: String)
    /// The money arrived. The event carries the id every later report of this payment is recognised by: a PayPal
    /// capture's (`capture:<id>:succeeded`, as in its webhook), a PaymentIntent's (`payment_intent:<id>:succeeded`).
    case succeeded(PaymentEvent)
}
