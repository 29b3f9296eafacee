import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import Foundation
import NIOPosix
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keeps webhooks from becoming a way into the operator's network: a URL whose host is, or resolves
/// to, a loopback, private, link-local, shared, multicast or unspecified address (also written inside an
/// IPv6 address: IPv4-mapped, -compatible, -translated, NAT64, 6to4, Teredo) is refused unless the
/// configuration allows private targets (tests, or a fulfillment service on the same network).
///
/// Checked when a subscription is saved and again before every delivery (a name may be re-pointed). The
/// delivery then connects to the address this lookup vetted (`vet`), never to a second lookup's answer,
/// so a name re-pointed in between (DNS rebinding) cannot lead it elsewhere.
public struct AddressGuard: Sendable {
    public var allowPrivate: Bool
    /// When set, only these host names (lowercase) are accepted at all, without looking anything up.
    public var allowedHosts: Set<String>?
    /// How names are looked up: the system's resolver; tests substitute their own.
    var resolver: @Sendable (String) -> [Address] = { AddressGuard.resolve($0) }

    public init(allowPrivate: Bool, allowedHosts: Set<String>? = nil) {
        self.allowPrivate = allowPrivate
        self.allowedHosts = allowedHosts
    }

    public enum Verdict: Sendable, Equatable {
        case allowed
        case refused(String)
    }

    /// What a delivery may connect to.
    public enum Vetting: Sendable, Equatable {
        /// Connect to `address` for `host` (the URL's host as written); nil when the URL names an address itself.
        case allowed(host: String, address: Address?)
        case refused(String)
    }

    /// Syntax only: http(s), a host, no credentials, no fragment.
    public static func checkSyntax(_ text: String) -> String? {
        guard text.count <= 2000, let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              ["http", "https"].contains(scheme), let host = components.host, !host.isEmpty
        else { return "must be an absolute http(s) URL" }
        if components.user != nil || components.password != nil { return "must not carry credentials" }
        if components.fragment != nil { return "must not have a fragment" }
        if text.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7F }) { return "must not contain spaces or control characters" }
        return nil
    }

    /// `check` on NIO's blocking-I/O pool: the name lookup (`getaddrinfo`) blocks its thread, which must not
    /// be one of the few that run every task of the server.
    public func checkOffThread(_ text: String) async -> Verdict {
        let guardrail = self
        do {
            return try await NIOThreadPool.singleton.runIfActive { guardrail.check(text) }
        } catch {
            return .refused("could not be checked (\(error))")
        }
    }

    /// `vet` on NIO's blocking-I/O pool, like `checkOffThread`.
    public func vetOffThread(_ text: String) async -> Vetting {
        let guardrail = self
        do {
            return try await NIOThreadPool.singleton.runIfActive { guardrail.vet(text) }
        } catch {
            return .refused("could not be checked (\(error))")
        }
    }

    /// Whether a subscription may be saved with this URL. With private targets allowed nothing is looked up
    /// (each delivery still is, by `vet`).
    public func check(_ text: String) -> Verdict {
        if case .refused(let why) = screen(text) { return .refused(why) }
        guard !allowPrivate else { return .allowed }
        switch vet(text) {
        case .allowed: return .allowed
        case .refused(let why): return .refused(why)
        }
    }

    /// For a delivery: `check`'s rules, looking the name up even when private targets are allowed, and the
    /// address the connection must go to. Every address looked up was vetted; the first IPv4 one is chosen
    /// (reachable from nearly every server, where one IPv6 answer may not be), else the first.
    public func vet(_ text: String) -> Vetting {
        let host: String
        switch screen(text) {
        case .refused(let why): return .refused(why)
        case .allowed(let screened, _): host = screened
        }
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        let literal = Self.isLiteralAddress(bare)
        let addresses = literal ? Self.resolve(bare) : resolver(bare)
        guard let first = addresses.first else { return .refused("its host \(bare) does not resolve") }
        if !allowPrivate {
            for address in addresses where Self.isInternal(address) {
                return .refused("its host \(bare) is an internal address (\(address.description)); set ATELIER_WEBHOOK_ALLOW_PRIVATE=true to allow it")
            }
        }
        let chosen = addresses.first { address in
            if case .v4 = address { return true }
            return false
        } ?? first
        return .allowed(host: host, address: literal ? nil : chosen)
    }

    /// Syntax and the allowlist: what needs no lookup. Answers the URL's host.
    private func screen(_ text: String) -> Vetting {
        if let problem = Self.checkSyntax(text) { return .refused(problem) }
        guard let host = URLComponents(string: text)?.host, !host.isEmpty else { return .refused("has no host") }
        if let allowedHosts, !allowedHosts.contains(host.lowercased()) {
            return .refused("is not on a host listed in ATELIER_WEBHOOK_ALLOWED_HOSTS")
        }
        return .allowed(host: host, address: nil)
    }

    public enum Address: Sendable, Equatable, CustomStringConvertible {
        case v4([UInt8])
        case v6([UInt8])

        public var description: String {
            switch self {
            case .v4(let b): return b.map(String.init).joined(separator: ".")
            case .v6(let b): return stride(from: 0, to: 16, by: 2).map { String(UInt16(b[$0]) << 8 | UInt16(b[$0 + 1]), radix: 16) }.joined(separator: ":")
            }
        }
    }

    public static func isInternal(_ address: Address) -> Bool {
        switch address {
        case .v4(let b):
            return b[0] == 0 || b[0] == 10 || b[0] == 127 || (b[0] == 169 && b[1] == 254) || (b[0] == 172 && (16...31).contains(b[1]))
                || (b[0] == 192 && b[1] == 168) || (b[0] == 100 && (64...127).contains(b[1])) || (b[0] == 192 && b[1] == 0 && b[2] == 0)
                || (b[0] == 198 && (18...19).contains(b[1])) || b[0] >= 224
        case .v6(let b):
            let last = Array(b[12..<16])
            func zero(_ range: Range<Int>) -> Bool { b[range].allSatisfy { $0 == 0 } }
            // An IPv4 address written inside an IPv6 one reaches that IPv4 host: judge the IPv4 address.
            // ::a.b.c.d (IPv4-compatible; also :: and ::1, whose "IPv4" is in 0.0.0.0/8)
            if zero(0..<12) { return isInternal(.v4(last)) }
            // ::ffff:a.b.c.d (IPv4-mapped)
            if zero(0..<10) && b[10] == 0xFF && b[11] == 0xFF { return isInternal(.v4(last)) }
            // ::ffff:0:a.b.c.d (IPv4-translated)
            if zero(0..<8) && b[8] == 0xFF && b[9] == 0xFF && zero(10..<12) { return isInternal(.v4(last)) }
            // 64:ff9b::a.b.c.d (NAT64, well-known prefix); 64:ff9b:1::/48 is for local use only
            if b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B {
                if zero(4..<12) { return isInternal(.v4(last)) }
                if b[4] == 0x00 && b[5] == 0x01 { return true }
            }
            // 2002:aabb:ccdd::/48 (6to4)
            if b[0] == 0x20 && b[1] == 0x02 { return isInternal(.v4(Array(b[2..<6]))) }
            // 2001:0::/32 (Teredo): the server's address, and the client's with its bits inverted
            if b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x00 && b[3] == 0x00 {
                return isInternal(.v4(Array(b[4..<8]))) || isInternal(.v4(last.map { ~$0 }))
            }
            // ULA, link-local, site-local (deprecated), multicast
            return b[0] & 0xFE == 0xFC || (b[0] == 0xFE && b[1] & 0xC0 == 0x80) || (b[0] == 0xFE && b[1] & 0xC0 == 0xC0) || b[0] == 0xFF
        }
    }

    /// Whether the host is written as an IPv4 or IPv6 address rather than a name.
    public static func isLiteralAddress(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return inet_pton(AF_INET, bare, &v4) == 1 || inet_pton(AF_INET6, bare, &v6) == 1
    }

    /// Every address the host name resolves to (a literal address resolves to itself).
    public static func resolve(_ host: String) -> [Address] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { return [] }
        defer { freeaddrinfo(first) }
        var addresses: [Address] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            if let sockaddr = info.pointee.ai_addr {
                if info.pointee.ai_family == AF_INET {
                    sockaddr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                        var raw = pointer.pointee.sin_addr
                        addresses.append(.v4(withUnsafeBytes(of: &raw) { Array($0) }))
                    }
                } else if info.pointee.ai_family == AF_INET6 {
                    sockaddr.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                        var raw = pointer.pointee.sin6_addr
                        addresses.append(.v6(withUnsafeBytes(of: &raw) { Array($0) }))
                    }
                }
            }
            cursor = info.pointee.ai_next
        }
        return addresses
    }
}
