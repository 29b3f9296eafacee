import Crypto
import Foundation

/// Secrets: random bytes rendered URL-safe, compared in constant time.
public enum Secret {
    public static func randomToken(bytes count: Int = 32) -> String {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return Data(bytes).base64URLEncoded()
    }

    public static func sha256Hex(_ value: String) -> String {
        Hex.string(SHA256.hash(data: Data(value.utf8)))
    }

    /// Compares two strings without an early exit, so timing reveals nothing but the length.
    public static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<x.count { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}
