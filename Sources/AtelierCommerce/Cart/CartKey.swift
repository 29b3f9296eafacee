import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Crypto
import Foundation

/// The opaque key that finds a cart: `cs_` and 32 random bytes in base64url. Only its SHA-256 is
/// stored, so a copy of the database does not hand out shoppers' carts.
public enum CartKey {
    public static let prefix = "cs_"

    public static func make() -> String { prefix + Secret.randomToken(bytes: 32) }

    public static func isWellFormed(_ key: String) -> Bool {
        key.hasPrefix(prefix) && key.utf8.count == prefix.utf8.count + 43
            && key.utf8.dropFirst(prefix.utf8.count).allSatisfy {
                ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D || $0 == 0x5F
            }
    }

    static func hash(_ key: String) -> String { Secret.sha256Hex(key) }
}
