import AtelierCore
import Crypto
import Foundation

/// An upload written to a staging file as it arrives, never held whole in memory, with its size and
/// its asset id computed on the way.
public struct StagedUpload: Sendable {
    public let path: String
    public let bytes: Int
    /// The asset id its bytes get (see `AssetIdentity`).
    public let assetId: String

    /// Streams `chunks` into a new file under `folder`, refusing (413) past `maxBytes`; the file is removed
    /// on any failure. The caller removes it once stored (or refused) with `discard()`.
    public static func stage<Chunks: AsyncSequence>(_ chunks: Chunks, into folder: String, maxBytes: Int,
                                                   identity: AssetIdentity) async throws -> StagedUpload where Chunks.Element == ArraySlice<UInt8> {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/upload-" + UUID().uuidString
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]),
              let handle = FileHandle(forWritingAtPath: path)
        else { throw AtelierError(.internal, code: .internal, title: "Upload failed", detail: "The upload could not be staged.") }
        var hasher = identity.hasher()
        var count = 0
        do {
            defer { try? handle.close() }
            for try await chunk in chunks {
                count += chunk.count
                guard count <= maxBytes else {
                    throw AtelierError(.contentTooLarge, code: .contentTooLarge, title: "Request body too large",
                                       detail: "The request body is larger than \(maxBytes) bytes.")
                }
                hasher.update(chunk)
                try handle.write(contentsOf: chunk)
            }
        } catch {
            unlink(path)
            throw error
        }
        return StagedUpload(path: path, bytes: count, assetId: Asset.prefix + hasher.finalize())
    }

    /// Stages bytes already in memory (a file sent with a form), with the same limit and identity.
    public static func stage(bytes: [UInt8], into folder: String, maxBytes: Int, identity: AssetIdentity) async throws -> StagedUpload {
        let chunks = AsyncStream<ArraySlice<UInt8>> { continuation in
            continuation.yield(bytes[...])
            continuation.finish()
        }
        return try await stage(chunks, into: folder, maxBytes: maxBytes, identity: identity)
    }

    /// The first bytes of the file (where an image's header is).
    func head(_ count: Int) -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        return [UInt8]((try? handle.read(upToCount: count)) ?? Data())
    }

    public func discard() { unlink(path) }
}
