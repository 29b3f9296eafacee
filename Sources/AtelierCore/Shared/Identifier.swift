import Crypto
import Foundation

/// Random, URL-safe, prefixed identifiers such as `key_01jd3k8x4q9m2v7c5b6n0p1r2s`.
///
/// The first 10 characters encode the creation time in milliseconds (Crockford base32, as in ULID),
/// so ids sort by creation time and keyset pagination by id follows insertion order.
/// The remaining 16 characters are 80 random bits.
public enum Identifier {
    static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz")

    public static func make(prefix: String, at date: Date = Date()) -> String {
        let millis = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        var chars = [Character](repeating: "0", count: 26)
        var t = millis
        for i in stride(from: 9, through: 0, by: -1) {
            chars[i] = alphabet[Int(t & 31)]
            t >>= 5
        }
        // 80 random bits from two draws (each draw of the system generator is a system call).
        var rng = SystemRandomNumberGenerator()
        var bits = rng.next() as UInt64
        for i in 10..<22 {
            chars[i] = alphabet[Int(bits & 31)]
            bits >>= 5
        }
        bits = rng.next() as UInt64
        for i in 22..<26 {
            chars[i] = alphabet[Int(bits & 31)]
            bits >>= 5
        }
        return prefix + "_" + String(chars)
    }

    /// Whether `value` has the shape of an id with this prefix; cheap input validation.
    public static func isWellFormed(_ value: String, prefix: String) -> Bool {
        guard value.count == prefix.count + 27, value.hasPrefix(prefix + "_") else { return false }
        return value.dropFirst(prefix.count + 1).allSatisfy { alphabet.contains($0) }
    }
}

extension Data {
    /// Base64 with the URL-safe alphabet and no padding, mapped byte by byte (no string searching: sealed
    /// values and tokens are made on every checkout).
    public func base64URLEncoded() -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity((count + 2) / 3 * 4)
        for byte in base64EncodedData() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(UInt8(ascii: "-"))
            case UInt8(ascii: "/"): bytes.append(UInt8(ascii: "_"))
            case UInt8(ascii: "="): break
            default: bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    public init?(base64URLEncoded string: String) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(string.utf8.count + 3)
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "-"): bytes.append(UInt8(ascii: "+"))
            case UInt8(ascii: "_"): bytes.append(UInt8(ascii: "/"))
            default: bytes.append(byte)
            }
        }
        while bytes.count % 4 != 0 { bytes.append(UInt8(ascii: "=")) }
        self.init(base64Encoded: Data(bytes))
    }
}
