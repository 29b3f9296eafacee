import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import AsyncHTTPClient
import Foundation
import Logging

/// How deliveries of one subscription kind are sent: a partner's webhook, the fulfillment service, the
/// shopper's email. `EventDeliveryService` claims a delivery, looks its subscription's channel up by kind and
/// records what `send` answers; dispatching, leases, retries, the attempt log and dead letters are the
/// worker's and the same for every channel.
///
/// To add a channel: a new `WebhookSubscription.Kind`, a type conforming to this protocol next to its domain,
/// and its place in `EventDeliveryService.standardChannels`.
public protocol DeliveryChannel: Sendable {
    /// The subscription kind this channel serves.
    var kind: WebhookSubscription.Kind { get }
    /// The longest one send may take before it gives up (a delivery's lease is derived from it).
    var longestSend: Duration { get }
    /// Makes sure the channel's own subscription exists and matches the configuration (fulfillment, mail);
    /// called once when the worker starts. Failures are logged, never thrown: the other channels still run.
    func prepare(subscriptions: WebhookSubscriptionStore, on database: any DatabaseClient, logger: Logger) async
    /// Sends one delivery; never throws: every failure is a result. `database` is the worker's (to read what a
    /// message is made from); `client` is the worker's HTTP client, shared by every delivery so connections are
    /// reused, and shut down when the worker stops (a channel that does not speak HTTP ignores it).
    func send(_ delivery: EventDelivery, to subscription: WebhookSubscription, secrets: [String],
              database: any DatabaseClient, client: HTTPClient) async -> DeliveryResult
}

extension DeliveryChannel {
    /// Nothing to set up: the subscriptions are the admin API's (partners).
    public func prepare(subscriptions: WebhookSubscriptionStore, on database: any DatabaseClient, logger: Logger) async {}
}
