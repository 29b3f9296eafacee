import AtelierCore
import AtelierAssets
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import AtelierDelivery
import Crypto
import Foundation

/// Where the keys for customer personal data come from: the environment in production, or a file of
/// generated keys under the data folder for a local start (`ATELIER_DATA_DIR/keys.json`, mode 0600).
public enum PersonalDataKeys {
    public struct Invalid: Error {
        public var reason: String

        package init(reason: String) {
            self.reason = reason
        }
    }

    /// `ID:BASE64[,ID:BASE64…]` (32-byte keys; the first encrypts) and a 32-byte lookup key.
    public static func parse(keys: String, lookup: String) throws(Invalid) -> PersonalDataCipher {
        var parsed: [PersonalDataCipher.Key] = []
        for entry in keys.split(separator: ",") {
            let parts = entry.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, !parts[0].isEmpty, parts[0].utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D || $0 == 0x5F }),
                let bytes = Data(base64Encoded: String(parts[1])), bytes.count == 32
            else { throw Invalid(reason: "each data key must be ID:BASE64 with a lowercase id and 32 bytes of key") }
            guard !parsed.contains(where: { $0.id == String(parts[0]) }) else { throw Invalid(reason: "a key id is used twice") }
            parsed.append(.init(id: String(parts[0]), key: SymmetricKey(data: bytes)))
        }
        guard !parsed.isEmpty else { throw Invalid(reason: "name at least one data key") }
        guard let lookupBytes = Data(base64Encoded: lookup), lookupBytes.count == 32 else {
            throw Invalid(reason: "the lookup key must be 32 bytes in base64")
        }
        return PersonalDataCipher(keys: parsed, lookupKey: SymmetricKey(data: lookupBytes))
    }

    package struct File: Codable {
        package struct Key: Codable {
            package var id: String
            package var key: String

            package init(id: String, key: String) {
                self.id = id
                self.key = key
            }
        }

        package var dataKeys: [Key]
        package var lookupKey: String

        package init(dataKeys: [Key], lookupKey: String) {
            self.dataKeys = dataKeys
            self.lookupKey = lookupKey
        }
    }
}
