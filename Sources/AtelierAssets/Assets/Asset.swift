import AtelierCore
import Crypto
import Foundation
import NIOPosix
import SQLKit

/// An uploaded image or a rendered preview, stored once per content (its id is a keyed hash of it).
public struct Asset: Sendable, Equatable {
    public enum Kind: String, Sendable { case upload, preview }

    public var id: String
    public var kind: Kind
    public var type: String  // png, jpeg, webp, svg
    public var bytes: Int
    public var width: Int
    public var height: Int
    public var createdAt: Date

    public var mediaType: String { type == "svg" ? "image/svg+xml" : "image/" + type }
    public var storageKey: String { String(id.dropFirst(Asset.prefix.count)) }

    package static let prefix = "ast_"

    /// `ast_` and 64 hex digits (see `AssetIdentity`).
    package static func isWellFormedId(_ id: String) -> Bool {
        id.hasPrefix(prefix) && id.utf8.count == prefix.utf8.count + 64
            && id.utf8.dropFirst(prefix.utf8.count).allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }
}
