import Foundation
import NIOPosix
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keeps webhooks from becoming a way into the operator's network: a URL whose host is, or resolves
/// to, a loopback, private, link-local, shared, multicast or unspecified address is refused unless the
/// configuration allows private targets (tests, or a fulfillment service on the same network).
///
/// Checked when a subscription is saved and again before every delivery (a name may be re-pointed).
/// What remains is the window between this lookup and the HTTP client's own one; an operator who needs
/// to close it routes outgoing webhooks through an egress proxy.
public struct AddressGuard: Sendable {
    public var allowPrivate: Bool
    /// When set, only these host names (lowercase) are accepted at all, without looking anything up.
    public var allowedHosts: Set<String>?

    public init(allowPrivate: Bool, allowedHosts: Set<String>? = nil) {
        self.allowPrivate = allowPrivate
        self.allowedHosts = allowedHosts
    }

    public enum Verdict: Sendable, Equatable {
        case allowed
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

    public func check(_ text: String) -> Verdict {
        if let problem = Self.checkSyntax(text) { return .refused(problem) }
        guard let host = URLComponents(string: text)?.host else { return .refused("has no host") }
        if let allowedHosts, !allowedHosts.contains(host.lowercased()) {
            return .refused("is not on a host listed in ATELIER_WEBHOOK_ALLOWED_HOSTS")
        }
        guard !allowPrivate else { return .allowed }
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        let addresses = Self.resolve(bare)
        guard !addresses.isEmpty else { return .refused("its host \(bare) does not resolve") }
        for address in addresses where Self.isInternal(address) {
            return .refused("its host \(bare) is an internal address (\(address.description)); set ATELIER_WEBHOOK_ALLOW_PRIVATE=true to allow it")
        }
        return .allowed
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
            if b.allSatisfy({ $0 == 0 }) { return true }  // ::
            if b[0..<15].allSatisfy({ $0 == 0 }) && b[15] == 1 { return true }  // ::1
            if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xFF && b[11] == 0xFF { return isInternal(.v4(Array(b[12..<16]))) }  // mapped v4
            if b[0] == 0x64 && b[1] == 0xFF && b[2] == 0x9B { return isInternal(.v4(Array(b[12..<16]))) }  // NAT64
            return b[0] & 0xFE == 0xFC || (b[0] == 0xFE && b[1] & 0xC0 == 0x80) || b[0] == 0xFF  // ULA, link-local, multicast
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
