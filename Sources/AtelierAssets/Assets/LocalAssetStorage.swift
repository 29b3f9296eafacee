import AtelierCore
import Foundation

/// Files under a folder (by default `ATELIER_DATA_DIR/assets`), two levels of hash-prefix folders.
public struct LocalAssetStorage: AssetStorage {
    public let root: URL

    public init(root: URL) { self.root = root }

    func url(for key: String) -> URL {
        let safe = String(key.filter { $0.isLetter || $0.isNumber || $0 == "." })
        let a = String(safe.prefix(2)), b = String(safe.dropFirst(2).prefix(2))
        return root.appendingPathComponent(a).appendingPathComponent(b).appendingPathComponent(safe)
    }

    public func put(key: String, bytes: [UInt8], contentType: String) async throws {
        let target = url(for: key)
        if FileManager.default.fileExists(atPath: target.path) { return }
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        // Write then rename, so a reader never sees half a file.
        let temporary = target.deletingLastPathComponent().appendingPathComponent(".\(key).\(UUID().uuidString).tmp")
        try Data(bytes).write(to: temporary)
        do {
            try FileManager.default.moveItem(at: temporary, to: target)
        } catch where FileManager.default.fileExists(atPath: target.path) {
            try? FileManager.default.removeItem(at: temporary)  // someone stored the same content meanwhile
        }
    }

    /// Copies the file beside its target and renames it into place: the bytes never pass through memory.
    public func put(key: String, file: String, contentType: String) async throws {
        let target = url(for: key)
        if FileManager.default.fileExists(atPath: target.path) { return }
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = target.deletingLastPathComponent().appendingPathComponent(".\(key).\(UUID().uuidString).tmp")
        try FileManager.default.copyItem(at: URL(fileURLWithPath: file), to: temporary)
        do {
            try FileManager.default.moveItem(at: temporary, to: target)
        } catch where FileManager.default.fileExists(atPath: target.path) {
            try? FileManager.default.removeItem(at: temporary)
        }
    }

    public func get(key: String) async throws -> [UInt8]? {
        guard let data = FileManager.default.contents(atPath: url(for: key).path) else { return nil }
        return [UInt8](data)
    }

    public func delete(key: String) async throws {
        try? FileManager.default.removeItem(at: url(for: key))
    }
}
