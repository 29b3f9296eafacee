import AtelierCore
import AtelierAssets
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import AtelierDelivery
import AtelierInsights
import AtelierPrivacy
import AtelierAccess
import Crypto
import Foundation

/// Made from the whole configuration at the top, so Privacy never reads the configuration of others.
extension PersonalDataKeys {
    /// The configured keys, or those in the data folder's key file, created on first use.
    public static func load(_ configuration: AtelierConfiguration) throws -> PersonalDataCipher {
        if let keys = configuration.privacy.personalDataKeys { return keys }
        let folder = URL(fileURLWithPath: configuration.server.dataDirectory)
        let url = folder.appendingPathComponent("keys.json")
        if let data = try? Data(contentsOf: url) {
            let file = try JSONDecoder().decode(File.self, from: data)
            return try parse(keys: file.dataKeys.map { "\($0.id):\($0.key)" }.joined(separator: ","), lookup: file.lookupKey)
        }
        func random() -> String { SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() } }
        let file = File(dataKeys: [.init(id: "k1", key: random())], lookupKey: random())
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let data = try JSONEncoder().encode(file)
        guard FileManager.default.createFile(atPath: url.path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw Invalid(reason: "could not write \(url.path)")
        }
        return try parse(keys: "k1:\(file.dataKeys[0].key)", lookup: file.lookupKey)
    }
}
