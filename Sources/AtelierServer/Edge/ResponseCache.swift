import Foundation
import Atelier
import Crypto
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// Encoded answers of public catalog reads, kept per node and served without touching the handler or
/// the database while the catalog revision they were made at is still the current one.
///
/// Writes on this node refresh the revision as soon as they commit; changes made through other nodes
/// are noticed by `CatalogRevisionPoller` within its interval. Every answer carries a strong ETag
/// (a hash of its bytes) and `Cache-Control`, so CDNs and browsers can revalidate with `If-None-Match`.
final class ResponseCache: Sendable {
    struct Entry: Sendable {
        var revision: Int64
        var contentType: String
        var body: ByteBuffer
        var etag: String
    }

    static let cacheControl = "public, max-age=30, stale-while-revalidate=30"

    private let state = Mutex<(revision: Int64, entries: [String: Entry], bytes: Int)>((0, [:], 0))
    let maxEntries: Int
    let maxBytes: Int

    init(maxEntries: Int = 20_000, maxBytes: Int = 128 * 1_048_576) {
        self.maxEntries = maxEntries
        self.maxBytes = maxBytes
    }

    var revision: Int64 { state.withLock { $0.revision } }

    /// Moves to a newer revision; entries made at older ones stop being served.
    func observe(_ revision: Int64) {
        state.withLock { state in
            guard revision > state.revision else { return }
            state.revision = revision
            state.entries.removeAll(keepingCapacity: true)
            state.bytes = 0
        }
    }

    func lookup(_ key: String) -> Entry? {
        state.withLock { state in
            guard let entry = state.entries[key], entry.revision == state.revision else { return nil }
            return entry
        }
    }

    /// Keeps an answer made at `revision` (read before the answer was made, so it is never newer than the data).
    func store(_ key: String, revision: Int64, contentType: String, body: ByteBuffer) -> Entry {
        let entry = Entry(revision: revision, contentType: contentType, body: body, etag: Self.strongETag(of: body.readableBytesView))
        state.withLock { state in
            guard revision == state.revision else { return }
            // Keys count too: a key is as long as its path and known parameters.
            let size = body.readableBytes + key.utf8.count + entry.etag.utf8.count + contentType.utf8.count
            if state.entries.count >= maxEntries || state.bytes + size > maxBytes {
                // Simple and bounded: start over rather than track recency on every hit.
                state.entries.removeAll(keepingCapacity: true)
                state.bytes = 0
            }
            state.bytes += size
            state.entries[key] = entry
        }
        return entry
    }

    /// The answer for an entry: 304 when the client's `If-None-Match` names its ETag.
    static func response(for entry: Entry, ifNoneMatch: String?) -> Response {
        var headers: HTTPFields = [.eTag: entry.etag, .cacheControl: cacheControl]
        if let ifNoneMatch, matches(ifNoneMatch, etag: entry.etag) {
            return Response(status: .notModified, headers: headers, body: .init())
        }
        headers[.contentType] = entry.contentType
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: entry.body))
    }

    /// A strong ETag for bytes: part of their SHA-256, so that other bytes get another tag.
    static func strongETag(of bytes: some DataProtocol) -> String {
        "\"" + Hex.string(SHA256.hash(data: bytes).prefix(12)) + "\""
    }

    /// RFC 9110 weak comparison over a list of entity tags, or `*`.
    static func matches(_ header: String, etag: String) -> Bool {
        let opaque = etag.hasPrefix("W/") ? String(etag.dropFirst(2)) : etag
        for candidate in header.split(separator: ",") {
            var tag = candidate.trimmingCharacters(in: .whitespaces)
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag = String(tag.dropFirst(2)) }
            if tag == opaque { return true }
        }
        return false
    }

    /// Reads a response body completely, for storing it.
    static func collect(_ body: ResponseBody) async throws -> ByteBuffer {
        let sink = Sink()
        try await body.write(CollectingWriter(sink: sink))
        return sink.buffer.withLock { $0 }
    }

    final class Sink: Sendable {
        let buffer = Mutex(ByteBuffer())
    }

    struct CollectingWriter: ResponseBodyWriter {
        let sink: Sink
        mutating func write(_ buffer: ByteBuffer) async throws {
            var buffer = buffer
            _ = sink.buffer.withLock { $0.writeBuffer(&buffer) }
        }
        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }
}
