@testable import AtelierServer
import Foundation
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

@Suite struct ResponseCacheKeyTests {
    @Test func keysCountTowardTheByteCap() {
        let cache = ResponseCache(maxEntries: 100, maxBytes: 2000)
        let long = "/products?" + String(repeating: "q", count: 1500)
        _ = cache.store(long, revision: 0, contentType: "application/json", body: ByteBuffer(string: "x"))
        _ = cache.store("/products?" + String(repeating: "r", count: 1500), revision: 0, contentType: "application/json", body: ByteBuffer(string: "x"))
        // Two 1.5 KB keys with one-byte bodies do not both fit in 2 KB.
        #expect(cache.lookup(long) == nil)
    }

    @Test func answersAreKeyedByPathAndTheContractsOwnQueryParameters() throws {
        let routes = try ContractDocument.load().routes
        guard case .route(let list, _) = routes.match(method: .get, path: "/products"),
              case .route(let one, _) = routes.match(method: .get, path: "/products/some-slug")
        else { Issue.record("no catalog routes"); return }
        #expect(list.cache == "catalog")
        #expect(list.queryParameters.contains("category") && list.queryParameters.contains("limit"))
        #expect(list.cacheKey(path: "/products", query: "zzz=\(String(repeating: "a", count: 5000))&limit=20&category=gifts")
                == list.cacheKey(path: "/products", query: "category=gifts&limit=20"))
        #expect(list.cacheKey(path: "/products", query: "limit=20") != list.cacheKey(path: "/products", query: "limit=21"))
        #expect(list.cacheKey(path: "/products", query: "junk=1") == "/products")
        #expect(one.cacheKey(path: "/products/some-slug", query: "junk=\(UUID().uuidString)") == "/products/some-slug")
    }
}
