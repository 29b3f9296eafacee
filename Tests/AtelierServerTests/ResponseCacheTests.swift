@testable import AtelierServer
import Hummingbird
import NIOCore
import Testing

@Suite struct ResponseCacheTests {
    @Test func entriesServeOnlyAtTheRevisionTheyWereMadeAt() {
        let cache = ResponseCache()
        cache.observe(5)
        _ = cache.store("/products", revision: 5, contentType: "application/json", body: ByteBuffer(string: "[1]"))
        #expect(cache.lookup("/products") != nil)
        // An answer made before a write is never kept as current.
        _ = cache.store("/products/a", revision: 4, contentType: "application/json", body: ByteBuffer(string: "old"))
        #expect(cache.lookup("/products/a") == nil)
        cache.observe(6)
        #expect(cache.lookup("/products") == nil)
        // Revisions only move forward.
        cache.observe(3)
        #expect(cache.revision == 6)
    }

    @Test func theCacheIsBoundedByEntriesAndBytes() {
        let byCount = ResponseCache(maxEntries: 3, maxBytes: 1_000_000)
        for i in 0..<4 { _ = byCount.store("/p/\(i)", revision: 0, contentType: "application/json", body: ByteBuffer(string: "x")) }
        #expect(byCount.lookup("/p/0") == nil)
        #expect(byCount.lookup("/p/3") != nil)
        let byBytes = ResponseCache(maxEntries: 100, maxBytes: 10)
        _ = byBytes.store("/a", revision: 0, contentType: "application/json", body: ByteBuffer(string: "123456"))
        _ = byBytes.store("/b", revision: 0, contentType: "application/json", body: ByteBuffer(string: "123456"))
        #expect(byBytes.lookup("/a") == nil)
        #expect(byBytes.lookup("/b") != nil)
    }

    @Test func etagsAreContentHashesAndMatchWeaklyOrByStar() {
        let cache = ResponseCache()
        let a = cache.store("/a", revision: 0, contentType: "application/json", body: ByteBuffer(string: "same"))
        let b = cache.store("/b", revision: 0, contentType: "application/json", body: ByteBuffer(string: "same"))
        let c = cache.store("/c", revision: 0, contentType: "application/json", body: ByteBuffer(string: "other"))
        #expect(a.etag == b.etag)
        #expect(a.etag != c.etag)
        #expect(ResponseCache.matches("W/\(a.etag)", etag: a.etag))
        #expect(ResponseCache.matches("\"x\", \(a.etag)", etag: a.etag))
        #expect(ResponseCache.matches("*", etag: a.etag))
        #expect(!ResponseCache.matches(c.etag, etag: a.etag))
        #expect(ResponseCache.response(for: a, ifNoneMatch: a.etag).status == .notModified)
        #expect(ResponseCache.response(for: a, ifNoneMatch: nil).status == .ok)
    }
}
