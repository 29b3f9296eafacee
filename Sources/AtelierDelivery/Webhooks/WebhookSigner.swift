import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import Crypto
import Foundation

/// Signs deliveries per the Standard Webhooks scheme: `webhook-signature: v1,<base64 HMAC-SHA256>` over
/// `"<webhook-id>.<webhook-timestamp>.<body>"`, keyed with the base64 part of a `whsec_…` secret. While a
/// secret rotates, the delivery carries one signature per live secret, separated by spaces, so a receiver
/// that knows either accepts it.
public enum WebhookSigner {
    /// A new secret: `whsec_` and 32 random bytes in base64.
    public static func newSecret() -> String {
        var rng = SystemRandomNumberGenerator()
        return "whsec_" + Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }).base64EncodedString()
    }

    public static func signature(secret: String, id: String, timestamp: Int, body: [UInt8]) -> String? {
        guard secret.hasPrefix("whsec_"), let key = Data(base64Encoded: String(secret.dropFirst(6))), !key.isEmpty else { return nil }
        var message = Data("\(id).\(timestamp).".utf8)
        message.append(contentsOf: body)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key))
        return "v1," + Data(mac).base64EncodedString()
    }

    /// The three headers of a delivery.
    public static func headers(secrets: [String], id: String, timestamp: Int, body: [UInt8]) -> [(String, String)] {
        let signatures = secrets.compactMap { signature(secret: $0, id: id, timestamp: timestamp, body: body) }
        return [("webhook-id", id), ("webhook-timestamp", String(timestamp)), ("webhook-signature", signatures.joined(separator: " "))]
    }
}
