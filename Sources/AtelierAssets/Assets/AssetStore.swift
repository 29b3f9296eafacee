import AtelierCore
import Crypto
import Foundation
import NIOPosix
import SQLKit

public struct AssetStore: Sendable {
    /// Larger images are refused from their header, before any decoding: decoding costs memory.
    public static let maxSide = 30_000

    public let storage: any AssetStorage
    private let clock: WallClock
    public let identity: AssetIdentity
    public let maxPixels: Int

    public init(storage: any AssetStorage, clock: WallClock = .system, identity: AssetIdentity = .unkeyed, maxPixels: Int = 25_000_000) {
        self.storage = storage
        self.clock = clock
        self.identity = identity
        self.maxPixels = maxPixels
    }

    package struct Row: Codable {
        package var id: String
        var kind: String
        var type: String
        var bytes: Int
        var width: Int
        var height: Int
        var createdAt: Date

        package var asset: Asset {
            Asset(id: id, kind: Asset.Kind(rawValue: kind) ?? .upload, type: type, bytes: bytes, width: width, height: height, createdAt: createdAt)
        }
    }

    package static let decoder = SnakeCaseColumns.decoder

    /// Proves an upload is an image: recognized from its header (the type a client declares is never
    /// trusted), within the pixel limit, and decoded completely by the format's own library. Needs no
    /// database connection (decoding takes a while; it runs on the blocking pool).
    public func verify(_ staged: StagedUpload) async throws -> ImageSniffer.Info {
        guard staged.bytes > 0 else {
            throw AtelierError(.unsupportedMediaType, code: .unsupportedImageType, title: "Unsupported image type",
                               detail: "The body is empty; send the bytes of a PNG, JPEG or WebP image.")
        }
        let info: ImageSniffer.Info
        switch ImageSniffer.sniff(staged.head(262_144)) {
        case .success(let found):
            info = found
        case .failure(.unsupported(let type)):
            throw AtelierError(.unsupportedMediaType, code: .unsupportedImageType, title: "Unsupported image type",
                               detail: "\(type.uppercased()) images are not accepted; upload PNG, JPEG or WebP.")
        case .failure:
            throw Self.notAnImage
        }
        try checkSize(width: info.width, height: info.height)
        // No image needs more bytes than its pixels stored raw (16-bit RGBA) and some metadata: the rest
        // would be a file hidden behind a small picture.
        guard staged.bytes <= info.width * info.height * 8 + 262_144 else {
            throw AtelierError(.unsupportedMediaType, code: .unsupportedImageType, title: "Unsupported image type",
                               detail: "The file is larger than a \(info.width)×\(info.height) px image can be; send the image alone.")
        }
        let (path, type, maxPixels) = (staged.path, info.type, self.maxPixels)
        // One decode at a time per process: a progressive JPEG or a WebP of the largest accepted size needs
        // tens of megabytes while it decodes.
        let verified = try await Self.decoding.run {
            try await NIOThreadPool.singleton.runIfActive { ImageVerifier.verify(path: path, type: type, maxPixels: maxPixels) }
        }
        switch verified {
        case .success(let decoded):
            guard decoded.width == info.width, decoded.height == info.height else { throw Self.notAnImage }
        case .failure(.tooManyPixels(let width, let height)):
            try checkSize(width: width, height: height)
            throw Self.notAnImage
        case .failure(.unavailable):
            throw AtelierError(.unsupportedMediaType, code: .unsupportedImageType, title: "Unsupported image type",
                               detail: "\(info.type.uppercased()) images cannot be checked on this server; upload PNG or JPEG.")
        case .failure:
            throw Self.notAnImage
        }
        return info
    }

    /// Stores a verified upload. Uploading the same bytes again answers the same asset.
    public func save(_ staged: StagedUpload, as info: ImageSniffer.Info, on db: any SQLDatabase) async throws -> Asset {
        if let existing = try await find(id: staged.assetId, on: db) { return existing }
        let asset = Asset(id: staged.assetId, kind: .upload, type: info.type, bytes: staged.bytes, width: info.width, height: info.height,
                          createdAt: clock.now)
        // Bytes first: a row never points at missing content. Orphaned bytes are harmless (same key, same content).
        try await storage.put(key: asset.storageKey, file: staged.path, contentType: asset.mediaType)
        try await insert(asset, on: db)
        return try await find(id: asset.id, on: db) ?? asset
    }

    /// Stores a verified upload as one of the catalog's images (a product's media, a template view): it is served
    /// publicly and kept while the catalog points at it. The same bytes uploaded before (by a shopper too) become
    /// a catalog image from now on.
    public func saveCatalogImage(_ staged: StagedUpload, as info: ImageSniffer.Info, by actor: String?,
                                 on db: any SQLDatabase) async throws -> Asset {
        let asset = try await save(staged, as: info, on: db)
        try await db.raw("""
            INSERT INTO catalog_media (asset_id, uploaded_by, created_at) VALUES (\(bind: asset.id), \(bind: actor), \(bind: clock.now))
            ON CONFLICT (asset_id) DO NOTHING
            """).run()
        return asset
    }

    /// Whether the asset is one of the catalog's images (public), rather than a shopper's upload or preview.
    public static func isCatalogImage(id: String, on db: any SQLDatabase) async throws -> Bool {
        try await db.select().column("asset_id").from("catalog_media").where("asset_id", .equal, id).first() != nil
    }

    static let decoding = SerialGate()

    static let notAnImage = AtelierError(.unsupportedMediaType, code: .unsupportedImageType, title: "Unsupported image type",
                                         detail: "The bytes are not a complete PNG, JPEG or WebP image.")

    private func checkSize(width: Int, height: Int) throws {
        if width > Self.maxSide || height > Self.maxSide || width * height > maxPixels {
            throw AtelierError(.unprocessable, code: .imageTooLarge, title: "Image too large",
                               detail: "\(width)×\(height) px is more than this shop accepts (at most \(Self.maxSide) px a side, \(maxPixels) pixels).")
        }
    }

    private func insert(_ asset: Asset, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO assets (id, kind, type, bytes, width, height, created_at)
            VALUES (\(bind: asset.id), \(bind: asset.kind.rawValue), \(bind: asset.type), \(bind: asset.bytes), \(bind: asset.width),
                    \(bind: asset.height), \(bind: asset.createdAt))
            ON CONFLICT (id) DO NOTHING
            """).run()
    }

    /// Stores bytes the server made (previews).
    public func store(_ bytes: [UInt8], kind: Asset.Kind, type: String, width: Int, height: Int,
                      on db: any SQLDatabase) async throws -> (asset: Asset, created: Bool) {
        let id = identity.id(for: bytes)
        if let existing = try await find(id: id, on: db) { return (existing, false) }
        let asset = Asset(id: id, kind: kind, type: type, bytes: bytes.count, width: width, height: height, createdAt: clock.now)
        try await storage.put(key: asset.storageKey, bytes: bytes, contentType: asset.mediaType)
        try await insert(asset, on: db)
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
