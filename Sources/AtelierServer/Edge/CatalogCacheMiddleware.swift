import Atelier
import Hummingbird

/// Serves the catalog's public reads from `ResponseCache` (with ETags and 304), and makes the cache stale
/// after a successful write that changes the catalog: this node at once, other nodes within their poll.
struct CatalogCacheMiddleware: RouterMiddleware {
    typealias Context = AtelierRequestContext
    let cache: ResponseCache
    let database: any DatabaseClient

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let route = context.match.route else { return try await next(request, context) }
        if route.cache == "catalog", request.method == .get {
            return try await cached(request, context: context, key: route.cacheKey(path: request.uri.path, query: request.uri.query), next: next)
        }
        let response = try await next(request, context)
        if route.invalidates != nil, response.status.kind == .successful {
            await refresh(cache, from: database, logger: context.logger)
        }
        return response
    }

    /// Serves a cacheable read from the cache, or makes, keeps and serves it.
    private func cached(_ request: Request, context: Context, key: String,
                        next: (Request, Context) async throws -> Response) async throws -> Response {
        let ifNoneMatch = request.headers[.ifNoneMatch]
        if let entry = cache.lookup(key) {
            return ResponseCache.response(for: entry, ifNoneMatch: ifNoneMatch)
        }
        let revision = cache.revision
        let response = try await next(request, context)
        guard response.status == .ok else { return response }
        let body = try await ResponseCache.collect(response.body)
        let entry = cache.store(key, revision: revision, contentType: response.headers[.contentType] ?? "application/json", body: body)
        return ResponseCache.response(for: entry, ifNoneMatch: ifNoneMatch)
    }
}
