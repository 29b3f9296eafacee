import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import AsyncHTTPClient
import Foundation
import Logging

/// Deliveries to the fulfillment service: a signed `POST` like a partner's, to the URL of the operator's
/// configuration (trusted as is, so it may sit on a private network), with `order.created` sent as the whole
/// order (`fulfillment.order`), made when sent from the sealed data, never stored in the clear.
public struct FulfillmentChannel: DeliveryChannel {
    public let settings: FulfillmentSettings
    /// How the order documents are made.
    public let documents: FulfillmentDocuments
    private let post: SignedPost

    public init(settings: FulfillmentSettings, webhooks: WebhookSettings, cipher: PersonalDataCipher, clock: WallClock = .system) {
        self.settings = settings
        self.documents = FulfillmentDocuments(cipher: cipher, publicBaseURL: settings.publicBaseURL, clock: clock)
        self.post = SignedPost(settings: webhooks, clock: clock)
    }

    public var kind: WebhookSubscription.Kind { .fulfillment }
    public var longestSend: Duration { post.settings.totalTimeout }

    /// The fulfillment subscription, in step with the configuration (URL, secret, active).
    public func prepare(subscriptions: WebhookSubscriptionStore, on database: any DatabaseClient, logger: Logger) async {
        let (url, secret) = (settings.url, settings.secret)
        do {
            try await database.transaction { db in try await subscriptions.ensureFulfillment(url: url, secret: secret, on: db) }
        } catch {
            logger.error("could not set up the fulfillment subscription", metadata: ["error": .string(String(reflecting: error))])
        }
    }

    public func send(_ delivery: EventDelivery, to subscription: WebhookSubscription, secrets: [String],
                     database: any DatabaseClient, client: HTTPClient) async -> DeliveryResult {
        let started = ContinuousClock.now
        var payload = delivery.payload
        if delivery.eventType == "order.created" {
            // The whole order, customer included, made now from the sealed data (never stored in the clear).
            let documents = self.documents
            do {
                let built = try await database.withConnection { db in
                    try await documents.orderDocument(eventId: delivery.eventId, orderId: delivery.aggregateId, on: db)
                }
                guard let built else { return .failed("the order no longer exists") }
                payload = built
            } catch {
                return .failed("could not build the order: \(error)")
            }
        }
        // The URL comes from the operator's configuration, not from the admin API: trusted as is.
        let request = post.request(for: delivery, payload: payload, to: subscription.url, secrets: secrets)
        return await post.send(request, through: client, since: started)
    }
}
