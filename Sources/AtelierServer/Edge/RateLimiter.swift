import Atelier
import Foundation
import HTTPTypes
import NIOCore
import NIOConcurrencyHelpers
#if canImport(Glibc)
import Glibc
#endif

/// Per-client request allowances for one node, by the generic cell rate algorithm: each key keeps one
/// number, the time at which its allowance is full again ("theoretical arrival time"). A request adds
/// `period / requests` to it and is refused when that would put it more than one period ahead, so a
/// client may spend its whole allowance at once and then one request per interval.
///
/// Keys live in shards, each behind its own lock; a shard forgets keys whose allowance is full again
/// whenever it has grown past twice its size after the last sweep, so memory follows the clients active
/// within one period.
final class RateLimiter: Sendable {
    struct Decision: Sendable, Equatable {
        var allowed: Bool
        var policy: String
        var limit: Int
        var period: Int
        var remaining: Int
        /// Seconds until the allowance is full again.
        var reset: Int
        /// Seconds until a refused request may be repeated (0 when allowed).
        var retryAfter: Int
    }

    private struct Shard {
        var full: [String: Double] = [:]
        var sweepAt = 1024
    }

    let settings: RateLimitSettings
    private let shards: [NIOLockedValueBox<Shard>]
    private let now: @Sendable () -> Double

    init(settings: RateLimitSettings, now: @escaping @Sendable () -> Double = { ProcessInfo.processInfo.systemUptime }) {
        self.settings = settings
        self.now = now
        shards = (0..<16).map { _ in NIOLockedValueBox(Shard()) }
    }

    var isEnabled: Bool { RateLimitSettings.Class.allCases.contains { settings.limit(for: $0) != nil } }

    /// Takes one request from every key's allowance in the class; the tightest answer wins. A refused
    /// key stops the walk, so later keys are not charged for a request that will not run.
    func take(_ kind: RateLimitSettings.Class, keys: [String]) -> Decision? {
        guard let limit = settings.limit(for: kind), !keys.isEmpty else { return nil }
        let interval = limit.period / Double(limit.requests)
        let t = now()
        var tightest: Decision?
        for key in keys {
            let scoped = kind.rawValue + "|" + key
            var hasher = Hasher()
            hasher.combine(scoped)
            let shard = shards[Int(UInt(bitPattern: hasher.finalize()) % UInt(shards.count))]
            let decision = shard.withLockedValue { shard -> Decision in
                let full = max(shard.full[scoped] ?? t, t)
                let next = full + interval
                let ahead = next - t
                if ahead > limit.period + 1e-9 {
                    return Decision(allowed: false, policy: kind.rawValue, limit: limit.requests, period: Int(limit.period),
                                    remaining: 0, reset: Int((full - t).rounded(.up)),
                                    retryAfter: max(1, Int((ahead - limit.period).rounded(.up))))
                }
                shard.full[scoped] = next
                if shard.full.count > shard.sweepAt {
                    shard.full = shard.full.filter { $0.value > t }
                    shard.sweepAt = max(1024, shard.full.count * 2)
                }
                return Decision(allowed: true, policy: kind.rawValue, limit: limit.requests, period: Int(limit.period),
                                remaining: max(0, Int(((limit.period - ahead) / interval + 1e-9).rounded(.down))),
                                reset: Int(ahead.rounded(.up)), retryAfter: 0)
            }
            if tightest == nil || !decision.allowed || decision.remaining < tightest!.remaining { tightest = decision }
            if !decision.allowed { break }
        }
        return tightest
    }

    /// The keys a request is counted under: its client address and, when it carries a well-formed one, its
    /// session key (anything else a client writes into a cookie never becomes a key of ours).
    func keys(remoteAddress: SocketAddress?, headers: HTTPFields, sessionKey: String?) -> [String] {
        var keys = [String]()
        if let client = clientAddress(remoteAddress: remoteAddress, headers: headers) { keys.append("a:" + client) }
        if let sessionKey, CartKey.isWellFormed(sessionKey) { keys.append("s:" + sessionKey) }
        return keys
    }

    /// The peer's address, or the one our own proxies say they received the request from (counted from
    /// the right of `X-Forwarded-For`, where a client cannot write). IPv6 clients count per network of
    /// `ipv6PrefixLength` bits (a /56 by default): one customer commonly holds a /64 or more.
    func clientAddress(remoteAddress: SocketAddress?, headers: HTTPFields) -> String? {
        let hops = settings.trustedProxyHops
        if hops > 0 {
            let forwarded = headers[values: .xForwardedFor].flatMap { $0.split(separator: ",") }
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            if forwarded.count >= hops { return Self.normalize(forwarded[forwarded.count - hops], ipv6Prefix: settings.ipv6PrefixLength) }
        }
        return remoteAddress?.ipAddress.map { Self.normalize($0, ipv6Prefix: settings.ipv6PrefixLength) }
    }

    static func normalize(_ address: String, ipv6Prefix: Int = 56) -> String {
        guard address.contains(":") else { return address }
        var bytes = in6_addr()
        guard inet_pton(AF_INET6, address, &bytes) == 1 else { return address }
        let raw = withUnsafeBytes(of: &bytes) { Array($0) }
        if raw[0..<10].allSatisfy({ $0 == 0 }), raw[10] == 0xff, raw[11] == 0xff {
            return raw[12...].map(String.init).joined(separator: ".")  // an IPv4 client on a dual-stack socket
        }
        let bits = min(max(ipv6Prefix, 0), 128)
        var network = raw
        for index in 0..<16 {
            let keep = min(max(bits - index * 8, 0), 8)
            network[index] &= keep == 8 ? 0xFF : UInt8(truncatingIfNeeded: 0xFF << (8 - keep))
        }
        return Hex.string(network.prefix((bits + 7) / 8)) + "/\(bits)"
    }

    /// `RateLimit-Policy` and `RateLimit` as the IETF httpapi draft writes them, and the older
    /// `RateLimit-Limit/-Remaining/-Reset` trio that most clients read; `Retry-After` on a refusal.
    static func apply(_ decision: Decision, to headers: inout HTTPFields) {
        headers[.rateLimitPolicy] = "\"\(decision.policy)\";q=\(decision.limit);w=\(decision.period)"
        headers[.rateLimit] = "\"\(decision.policy)\";r=\(decision.remaining);t=\(decision.reset)"
        headers[.rateLimitLimit] = String(decision.limit)
        headers[.rateLimitRemaining] = String(decision.remaining)
        headers[.rateLimitReset] = String(decision.reset)
        if !decision.allowed { headers[.retryAfter] = String(decision.retryAfter) }
    }

    static func refusal(_ decision: Decision) -> AtelierError {
        AtelierError(.tooManyRequests, code: .rateLimited, title: "Too many requests",
                     detail: "This client has used its \(decision.limit) \(decision.policy) requests per \(decision.period) s; "
                         + "retry after \(decision.retryAfter) s.")
    }
}

extension HTTPField.Name {
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let rateLimitPolicy = HTTPField.Name("RateLimit-Policy")!
    static let rateLimit = HTTPField.Name("RateLimit")!
    static let rateLimitLimit = HTTPField.Name("RateLimit-Limit")!
    static let rateLimitRemaining = HTTPField.Name("RateLimit-Remaining")!
    static let rateLimitReset = HTTPField.Name("RateLimit-Reset")!
}
