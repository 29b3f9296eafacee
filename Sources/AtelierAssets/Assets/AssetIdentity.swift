import AtelierCore
import Crypto
import Foundation

/// How asset ids are made from their bytes: HMAC-SHA-256 under a key of the shop's, so the same bytes
/// are stored once, yet nobody without the key can compute an id from a file and test whether it was
/// uploaded. Without a key (tests), plain SHA-256.
public struct AssetIdentity: Sendable {
    let key: SymmetricKey?

    public init(key: SymmetricKey?) { self.key = key }

    public static let unkeyed = AssetIdentity(key: nil)

    public func id(for bytes: [UInt8]) -> String {
        var hasher = hasher()
        hasher.update(bytes[...])
        return Asset.prefix + hasher.finalize()
    }

    func hasher() -> Hasher { key.map { .keyed(HMAC<SHA256>(key: $0)) } ?? .plain(SHA256()) }

    enum Hasher {
        case keyed(HMAC<SHA256>)
        case plain(SHA256)

        mutating func update(_ bytes: ArraySlice<UInt8>) {
            switch self {
            case .keyed(var mac): mac.update(data: bytes); self = .keyed(mac)
            case .plain(var hash): hash.update(data: bytes); self = .plain(hash)
            }
        }

        func finalize() -> String {
            let digest: [UInt8] = switch self {
            case .keyed(let mac): Array(mac.finalize())
            case .plain(let hash): Array(hash.finalize())
            }
            return Hex.string(digest)
        }
    }
}
