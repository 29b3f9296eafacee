import AtelierCore
import Foundation

/// Where asset bytes live. Keys are content hashes, so a write of existing content changes nothing.
public protocol AssetStorage: Sendable {
    func put(key: String, bytes: [UInt8], contentType: String) async throws
    func get(key: String) async throws -> [UInt8]?
    func delete(key: String) async throws
    /// Stores a staged file's content (the file stays; the caller removes it).
    func put(key: String, file: String, contentType: String) async throws
}

extension AssetStorage {
    /// Reads the file (bounded by the upload limit) and puts its bytes.
    public func put(key: String, file: String, contentType: String) async throws {
        guard let data = FileManager.default.contents(atPath: file) else { throw CocoaError(.fileReadNoSuchFile) }
        try await put(key: key, bytes: [UInt8](data), contentType: contentType)
    }
}

