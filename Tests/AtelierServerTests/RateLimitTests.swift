import Atelier
@testable import AtelierServer
import AtelierTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

@Suite struct RateLimitTests {
    /// A clock the test moves by hand.
    final class ManualClock: Sendable {
        let seconds = Mutex<Double>(1000)
        func advance(_ by: Double) { seconds.withLock { $0 += by } }
        var now: @Sendable () -> Double { { [self] in seconds.withLock { $0 } } }
    }

    @Test func allowanceIsSpentAtOnceThenRefilledEvenly() {
        let clock = ManualClock()
        let limiter = RateLimiter(settings: RateLimitSettings(general: RateLimit(requests: 10, period: 60)), now: clock.now)
        for expected in stride(from: 9, through: 0, by: -1) {
            let decision = limiter.take(.general, keys: ["a:1.2.3.4"])
            #expect(decision?.allowed == true && decision?.remaining == expected)
        }
        let refused = limiter.take(.general, keys: ["a:1.2.3.4"])
        #expect(refused?.allowed == false && refused?.remaining == 0)
        #expect(refused?.retryAfter == 6)  // one interval: 60 s / 10
        // Another client is not affected.
        #expect(limiter.take(.general, keys: ["a:5.6.7.8"])?.allowed == true)
        // After one interval exactly one more request is allowed.
        clock.advance(6)
        #expect(limiter.take(.general, keys: ["a:1.2.3.4"])?.allowed == true)
        #expect(limiter.take(.general, keys: ["a:1.2.3.4"])?.allowed == false)
        // After a whole period the allowance is full again.
        clock.advance(60)
        #expect(limiter.take(.general, keys: ["a:1.2.3.4"])?.remaining == 9)
    }

    @Test func sustainedRateAtTwiceTheLimitIsHalfRefused() {
        let clock = ManualClock()
        let limiter = RateLimiter(settings: RateLimitSettings(general: RateLimit(requests: 100, period: 10)), now: clock.now)
        var allowed = 0, refused = 0
        // 20 requests per second for 100 seconds against 10 per second (after the first burst of 100).
        for _ in 0..<2000 {
            if limiter.take(.general, keys: ["a:9.9.9.9"])?.allowed == true { allowed += 1 } else { refused += 1 }
            clock.advance(0.05)
        }
        #expect((1095...1105).contains(allowed), "allowed \(allowed)")  // the burst of 100, then 10 per second
        #expect(refused == 2000 - allowed)
    }

    @Test func sessionKeyHasItsOwnAllowanceAndRefusalDoesNotChargeLaterKeys() {
        let clock = ManualClock()
        let limiter = RateLimiter(settings: RateLimitSettings(checkout: RateLimit(requests: 2, period: 60)), now: clock.now)
        // The same cart from two addresses: the session key's allowance runs out.
        #expect(limiter.take(.checkout, keys: ["a:1.1.1.1", "s:cart"])?.allowed == true)
        #expect(limiter.take(.checkout, keys: ["a:2.2.2.2", "s:cart"])?.allowed == true)
        #expect(limiter.take(.checkout, keys: ["a:3.3.3.3", "s:cart"])?.allowed == false)
        // A class without a limit is not limited.
        #expect(limiter.take(.general, keys: ["a:1.1.1.1"]) == nil)
    }

    @Test func clientAddressesFromPeerOrTrustedProxies() throws {
        let direct = RateLimiter(settings: .off)
        let peer = try SocketAddress(ipAddress: "203.0.113.9", port: 4000)
        let spoofed: HTTPFields = [.xForwardedFor: "198.51.100.1"]
        #expect(direct.clientAddress(remoteAddress: peer, headers: spoofed) == "203.0.113.9")
        let proxied = RateLimiter(settings: RateLimitSettings(trustedProxyHops: 1))
        // The client wrote the first entry itself; our proxy appended the address it saw.
        #expect(proxied.clientAddress(remoteAddress: peer, headers: [.xForwardedFor: "10.0.0.1, 198.51.100.7"]) == "198.51.100.7")
        #expect(RateLimiter.normalize("2001:db8:1:2:aaaa::1", ipv6Prefix: 64) == "20010db800010002/64")
        #expect(RateLimiter.normalize("2001:db8:1:2:bbbb::9", ipv6Prefix: 64) == "20010db800010002/64")
        #expect(RateLimiter.normalize("::ffff:192.0.2.1") == "192.0.2.1")
        // One customer's /56 (the default) or /48 is one client, however many /64s it spreads over.
        #expect(RateLimiter.normalize("2001:db8:1:2ff:aaaa::1") == "20010db8000102/56")
        #expect(RateLimiter.normalize("2001:db8:1:2ff:aaaa::1") == RateLimiter.normalize("2001:db8:1:200::9"))
        #expect(RateLimiter.normalize("2001:db8:1:3ff::1") != RateLimiter.normalize("2001:db8:1:2ff::1"))
        #expect(RateLimiter.normalize("2001:db8:1:ffff::1", ipv6Prefix: 48) == "20010db80001/48")
        #expect(RateLimiter.normalize("2001:db8:1:ffff::1", ipv6Prefix: 52) == "20010db80001f0/52")
        let wide = RateLimiter(settings: try AtelierConfiguration.load(environment: ["ATELIER_RATE_LIMIT_IPV6_PREFIX": "48"]).server.rateLimits)
        let v6 = try SocketAddress(ipAddress: "2001:db8:1:2:3:4:5:6", port: 4000)
        #expect(wide.clientAddress(remoteAddress: v6, headers: [:]) == "20010db80001/48")
    }

    @Test func onlyWellFormedSessionKeysBecomeLimiterKeys() throws {
        let limiter = RateLimiter(settings: .production)
        let peer = try SocketAddress(ipAddress: "203.0.113.9", port: 4000)
        let junk = String(repeating: "x", count: 7000)
        #expect(limiter.keys(remoteAddress: peer, headers: [:], sessionKey: junk) == ["a:203.0.113.9"])
        #expect(limiter.keys(remoteAddress: peer, headers: [:], sessionKey: "cs_short") == ["a:203.0.113.9"])
        let key = CartKey.make()
        #expect(limiter.keys(remoteAddress: peer, headers: [:], sessionKey: key) == ["a:203.0.113.9", "s:" + key])
    }

    @Test func configurationParsesLimitsAndOff() throws {
        let loaded = try AtelierConfiguration.load(environment: ["ATELIER_RATE_LIMIT_CHECKOUT": "5/10", "ATELIER_RATE_LIMIT_UPLOAD": "off"])
        #expect(loaded.server.rateLimits.general == RateLimitSettings.production.general)
        #expect(loaded.server.rateLimits.checkout == RateLimit(requests: 5, period: 10))
        #expect(loaded.server.rateLimits.upload == nil)
        #expect(try AtelierConfiguration.load(environment: ["ATELIER_RATE_LIMITING": "false"]).server.rateLimits == .off)
        #expect(throws: ConfigurationError.self) { try AtelierConfiguration.load(environment: ["ATELIER_RATE_LIMIT_GENERAL": "fast"]) }
    }

    @Test func overHTTPPublicCallsGet429WithHeadersAndStaffCallsAreNotLimited() async throws {
        try await withApp(configure: {
            $0.server.rateLimits = RateLimitSettings(general: RateLimit(requests: 3, period: 60), checkout: RateLimit(requests: 1, period: 60),
                                                     trustedProxyHops: 1)
        }) { app in
            let client: HTTPFields = [.xForwardedFor: "198.51.100.20"]
            for remaining in [2, 1, 0] {
                let ok = try await app.send(.get, "/products", headers: client)
                #expect(ok.status == .ok)
                #expect(ok.headers[.rateLimitRemaining] == String(remaining))
                #expect(ok.headers[.rateLimitPolicy] == "\"general\";q=3;w=60")
            }
            let refused = try await app.send(.get, "/products", headers: client)
            #expect(refused.status == .tooManyRequests)
            #expect(refused.problemCode == "rate_limited")
            #expect(refused.headers[.retryAfter] == "20")
            #expect(refused.headers[.rateLimit] == "\"general\";r=0;t=60")
            // Another address still gets through; health checks and staff calls are never limited.
            #expect(try await app.send(.get, "/products", headers: [.xForwardedFor: "198.51.100.21"]).status == .ok)
            #expect(try await app.send(.get, "/health/live", headers: client).status == .ok)
            for _ in 0..<5 {
                #expect(try await app.send(.get, "/admin/orders", token: app.adminToken, headers: client).status == .ok)
            }
            // Checkout has its own, stricter allowance: the second attempt is refused before the body is read.
            let checkoutClient: HTTPFields = [.xForwardedFor: "198.51.100.30", .init("Idempotency-Key")!: "k1"]
            let first = try await app.send(.post, "/checkout", json: "{}", headers: checkoutClient)
            #expect(first.status != .tooManyRequests)
            let second = try await app.send(.post, "/checkout", json: "{}", headers: checkoutClient)
            #expect(second.status == .tooManyRequests)
            #expect(second.headers[.rateLimitPolicy] == "\"checkout\";q=1;w=60")
        }
    }
}
