import Atelier
import Hummingbird
import NIOCore

/// Serves a cart's reads and quotes from `CartAnswerCache` while the cart, the catalog and the day are
/// unchanged; a read that should extend the cart's life goes through, so the handler extends it.
struct CartCacheMiddleware: RouterMiddleware {
    typealias Context = AtelierRequestContext
    let cache: ResponseCache
    let answers: CartAnswerCache
    let database: any DatabaseClient
    /// Reads carts' stamps (and knows their lifetime).
    let carts: CartStore
    let shipDates: ShipDateCalendar
    let clock: WallClock

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let route = context.match.route, route.cache == "cart", let key = context.sessionKey else {
            return try await next(request, context)
        }
        let now = clock.now
        let carts = self.carts
        let stamp = try await database.withConnection { db in try await carts.stamp(key: key, on: db) }
        // The database may be ahead of this node (a write through another node): catch up first, so that
        // products kept in memory are not older than the stamp the answer will be kept under.
        if let stamp { cache.observe(stamp.catalogRevision) }
        let day = shipDates.shipDate(leadDays: 0, from: now)
        let body = context.rawBody
        let cacheKey = stamp.map { CartAnswerCache.key(cartId: $0.cartId, route: route.template, body: body) }
        let touching = request.method == .get && (stamp?.needsTouch(ttl: carts.ttl, now: now) ?? false)
        if let stamp, let cacheKey, !touching, let entry = answers.lookup(cacheKey, stamp: stamp, day: day) {
            return Response(status: .ok, headers: [.contentType: entry.contentType], body: .init(byteBuffer: entry.body))
        }
        var response = try await next(request, context)
        guard let stamp, let cacheKey, response.status == .ok else { return response }
        let collected = try await ResponseCache.collect(response.body)
        answers.store(cacheKey, stamp: stamp, day: day, contentType: response.headers[.contentType] ?? "application/json", body: collected)
        response.body = .init(byteBuffer: collected)
        return response
    }
}
