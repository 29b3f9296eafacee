import Foundation

/// The public API's rate limits, per client address and per session key. Each class of operation has
/// its own allowance (`x-atelier-rate-limit` in the contract); nil leaves a class unlimited.
public struct RateLimitSettings: Sendable, Equatable {
    public enum Class: String, Sendable, CaseIterable {
        case general, checkout, upload, webhook
    }

    public var general: RateLimit?
    public var checkout: RateLimit?
    public var upload: RateLimit?
    /// Provider webhooks whose verification costs a call to the provider (PayPal), per client address.
    public var webhook: RateLimit? = nil
    /// How many proxies of ours stand in front and append to `X-Forwarded-For`; 0 trusts the header never.
    public var trustedProxyHops: Int
    /// IPv6 clients are counted per network of this many leading bits (a home or office gets a /56 or /48).
    public var ipv6PrefixLength = 56
    /// Bytes one client address may upload in any hour; nil: no quota.
    public var uploadBytesPerHour: Int? = nil

    public init(general: RateLimit? = nil, checkout: RateLimit? = nil, upload: RateLimit? = nil, trustedProxyHops: Int = 0) {
        self.general = general
        self.checkout = checkout
        self.upload = upload
        self.trustedProxyHops = trustedProxyHops
    }

    /// No limits: what code-built configurations (tests) start from.
    public static let off = RateLimitSettings()
    /// What a deployment gets unless it says otherwise.
    public static let production: RateLimitSettings = {
        var settings = RateLimitSettings(
            general: RateLimit(requests: 600, period: 60), checkout: RateLimit(requests: 20, period: 60),
            upload: RateLimit(requests: 30, period: 60))
        settings.uploadBytesPerHour = 50 * 1_048_576
        settings.webhook = RateLimit(requests: 300, period: 60)
        return settings
    }()

    public func limit(for kind: Class) -> RateLimit? {
        switch kind {
        case .general: general
        case .checkout: checkout
        case .upload: upload
        case .webhook: webhook
        }
    }
}
