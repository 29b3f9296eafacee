import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import AsyncHTTPClient
import Foundation
import Logging
import Metrics
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// Settings of outgoing webhooks.
public struct WebhookSettings: Sendable, Equatable {
    /// Deliver to loopback and private addresses too (tests; a fulfillment service on the same network).
    public var allowPrivateTargets: Bool
    /// Only these hosts may receive webhooks (nil: any public host).
    public var allowedHosts: Set<String>?
    /// Concurrent deliveries per process.
    public var workers: Int
    public var retry: DeliveryRetryPolicy
    public var connectTimeout: Duration
    public var totalTimeout: Duration
    /// How long a rotated-out secret keeps signing.
    public var secretOverlap: TimeInterval

    public var addressGuard: AddressGuard { AddressGuard(allowPrivate: allowPrivateTargets, allowedHosts: allowedHosts) }

    public init(allowPrivateTargets: Bool = false, workers: Int = 4, retry: DeliveryRetryPolicy = .standard,
                connectTimeout: Duration = .seconds(5), totalTimeout: Duration = .seconds(15), secretOverlap: TimeInterval = 86_400) {
        self.allowPrivateTargets = allowPrivateTargets
        self.workers = workers
        self.retry = retry
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
        self.secretOverlap = secretOverlap
    }
}
