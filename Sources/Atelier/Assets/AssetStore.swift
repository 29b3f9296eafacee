import Crypto
import Foundation
import SQLKit

/// An uploaded image or a rendered preview, stored once per content (its id is its SHA-256).
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

    static let prefix = "ast_"

    /// `ast_` and the 64 hex digits of the content's SHA-256.
    static func isWellFormedId(_ id: String) -> Bool {
        id.hasPrefix(prefix) && id.utf8.count == prefix.utf8.count + 64
            && id.utf8.dropFirst(prefix.utf8.count).allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }
}

public struct AssetStore: Sendable {
    /// Larger images are refused even within the byte limit: decoding them costs too much memory.
    public static let maxPixels = 100_000_000
    public static let maxSide = 30_000

    public let storage: any AssetStorage
    private let clock: WallClock

    public init(storage: any AssetStorage, clock: WallClock = .system) {
        self.storage = storage
        self.clock = clock
    }

    struct Row: Codable {
        var id: String
        var kind: String
        var type: String
        var bytes: Int
        var width: Int
        var height: Int
        var createdAt: Date

        var asset: Asset {
            Asset(id: id, kind: Asset.Kind(rawValue: kind) ?? .upload, type: type, bytes: bytes, width: width, height: height, createdAt: createdAt)
        }
    }

    static let decoder = SQLRowDecoder(keyDecodingStrategy: .convertFromSnakeCase)

    public static func id(for bytes: [UInt8]) -> String {
        Asset.prefix + SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// Stores an uploaded image after recognizing it from its bytes. Uploading the same bytes again
    /// answers the same asset (`created` false).
    public func upload(_ bytes: [UInt8], on db: any SQLDatabase) async throws -> (asset: Asset, created: Bool) {
        guard !bytes.isEmpty else {
            throw AtelierError(.unsupportedMediaType, code: "unsupported_image_type", title: "Unsupported image type",
                               detail: "The body is empty; send the bytes of a PNG, JPEG or WebP image.")
        }
        let info: ImageSniffer.Info
        switch ImageSniffer.sniff(bytes) {
        case .success(let found):
            info = found
        case .failure(.unsupported(let type)):
            throw AtelierError(.unsupportedMediaType, code: "unsupported_image_type", title: "Unsupported image type",
                               detail: "\(type.uppercased()) images are not accepted; upload PNG, JPEG or WebP.")
        case .failure:
            throw AtelierError(.unsupportedMediaType, code: "unsupported_image_type", title: "Unsupported image type",
                               detail: "The bytes are not a PNG, JPEG or WebP image.")
        }
        if info.width > Self.maxSide || info.height > Self.maxSide || info.width * info.height > Self.maxPixels {
            throw AtelierError(.unprocessable, code: "image_too_large", title: "Image too large",
                               detail: "\(info.width)×\(info.height) px is more than this shop accepts (at most \(Self.maxSide) px a side, \(Self.maxPixels / 1_000_000) MP).")
        }
        return try await store(bytes, kind: .upload, type: info.type, width: info.width, height: info.height, on: db)
    }

    /// Stores bytes the server made (previews).
    public func store(_ bytes: [UInt8], kind: Asset.Kind, type: String, width: Int, height: Int,
                      on db: any SQLDatabase) async throws -> (asset: Asset, created: Bool) {
        let id = Self.id(for: bytes)
        if let existing = try await find(id: id, on: db) { return (existing, false) }
        let asset = Asset(id: id, kind: kind, type: type, bytes: bytes.count, width: width, height: height, createdAt: clock.now)
        // Bytes first: a row never points at missing content. Orphaned bytes are harmless (same key, same content).
        try await storage.put(key: asset.storageKey, bytes: bytes, contentType: asset.mediaType)
        try await db.raw("""
            INSERT INTO assets (id, kind, type, bytes, width, height, created_at)
            VALUES (\(bind: id), \(bind: kind.rawValue), \(bind: type), \(bind: bytes.count), \(bind: width), \(bind: height), \(bind: asset.createdAt))
            ON CONFLICT (id) DO NOTHING
            """).run()
        return (try await find(id: id, on: db) ?? asset, true)
    }

    public func find(id: String, on db: any SQLDatabase) async throws -> Asset? {
        try await Self.find(id: id, on: db)
    }

    /// An asset's metadata; needs no access to the bytes.
    public static func find(id: String, on db: any SQLDatabase) async throws -> Asset? {
        guard Asset.isWellFormedId(id) else { return nil }
        return try await db.select().column("*").from("assets").where("id", .equal, id)
            .first(decoding: Row.self, with: Self.decoder)?.asset
    }

    public func content(of asset: Asset) async throws -> [UInt8]? {
        try await storage.get(key: asset.storageKey)
    }
}
