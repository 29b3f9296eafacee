import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import AsyncHTTPClient
import Foundation

/// Deliveries to partners' webhooks (subscriptions made through the admin API): a signed `POST` to a URL
/// that is vetted again before every delivery, and connected to at the address that vetting looked up.
public struct PartnerWebhookChannel: DeliveryChannel {
    public let settings: WebhookSettings
    /// Vets partner URLs before each delivery and names the address to connect to.
    var addressGuard: AddressGuard
    private let post: SignedPost

    public init(settings: WebhookSettings, clock: WallClock = .system) {
        self.settings = settings
        self.addressGuard = settings.addressGuard
        self.post = SignedPost(settings: settings, clock: clock)
    }

    public var kind: WebhookSubscription.Kind { .partner }
    public var longestSend: Duration { settings.totalTimeout }

    /// One POST with the Standard Webhooks headers; never throws — every failure is a result.
    public func send(_ delivery: EventDelivery, to subscription: WebhookSubscription, secrets: [String],
                     database: any DatabaseClient, client: HTTPClient) async -> DeliveryResult {
        let url = subscription.url
        let started = ContinuousClock.now
        // A partner URL is vetted now, and its name is pinned to the address vetted: the HTTP client connects
        // there (with the name still in `Host`, in TLS's server name and in the certificate check) and never
        // looks the name up itself, so a name re-pointed after the check (DNS rebinding) changes nothing.
        var pinned: [String: String] = [:]
        switch await addressGuard.vetOffThread(url) {
        case .refused(let why):
            return .failed("refused: the URL \(why)")
        case .allowed(let host, let address?):
            // The client finds the override under the host as it reads it from the URL: it must be the one vetted.
            guard let clientHost = URL(string: url)?.host, clientHost == host else {
                return .failed("refused: the URL's host cannot be read unambiguously")
            }
            pinned[host] = address.description
        case .allowed(_, .none):
            break  // an address literal: nothing to look up
        }
        let request = post.request(for: delivery, payload: delivery.payload, to: url, secrets: secrets)
        guard !pinned.isEmpty else { return await post.send(request, through: client, since: started) }
        // The override is a client setting: a pinned delivery gets a client of its own, closed after it.
        let pinnedClient = HTTPClient(eventLoopGroupProvider: .singleton,
                                      configuration: SignedPost.clientConfiguration(settings, dnsOverride: pinned))
        let result = await post.send(request, through: pinnedClient, since: started)
        try? await pinnedClient.shutdown()
        return result
    }
}
