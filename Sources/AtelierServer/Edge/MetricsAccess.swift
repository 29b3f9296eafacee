import Atelier
import Crypto
import Foundation
import NIOCore

/// `/metrics` tells queue depths, error rates and routes: it answers the bearer of the configured token
/// from anywhere, and without a token only callers on this machine (a scraper sidecar, an operator's curl)
/// — with a token, it is asked of everyone.
struct MetricsAccess: Sendable {
    let token: String?

    func allows(remoteAddress: SocketAddress?, authorization: String?) -> Bool {
        if let token {
            guard let authorization, authorization.hasPrefix("Bearer ") else { return false }
            let offered = SHA256.hash(data: Data(authorization.dropFirst(7).utf8))
            return offered == SHA256.hash(data: Data(token.utf8))  // digests compare in constant time
        }
        // No peer at all: a call made inside this process, never over the network.
        guard let remoteAddress else { return true }
        guard let ip = remoteAddress.ipAddress else { return false }
        return ServerSettings.isLoopback(ip) || ip.hasPrefix("::ffff:127.")
    }

    static let refusal = AtelierError(.unauthorized, code: .metricsTokenRequired, title: "Metrics need a token",
                                      detail: "Send Authorization: Bearer with ATELIER_METRICS_TOKEN, or scrape from this host.")
}
