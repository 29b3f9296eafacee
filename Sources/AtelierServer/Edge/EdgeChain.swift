import Foundation
import Atelier
import Hummingbird

/// The edge's middleware, composed once at start in the order they run, outermost first. Each is a small
/// type with one job; the order is the design:
///
///  1. `RequestIDMiddleware`: the request's id, in logs, problems and the answer.
///  2. `RoutingMiddleware`: the contract's route, matched once; everything below reads it.
///  3. `AccessLogMiddleware`: metrics and the log line of every answer, problems included.
///  4. `ResponseHeadersMiddleware`: security headers; `no-store` on private answers.
///  5. `CORSMiddleware`: the storefront origins' preflights and headers.
///  6. `RequestSizeMiddleware`: 414/431 before anything keys a map on the target or a header.
///  7. `RateLimitMiddleware`: 429 before the body is read; the allowance on every limited answer.
///  8. `ProblemMiddleware`: below it, layers throw; it answers problem+json. (Above it, each answers its own.)
///  9. `BodyLimitMiddleware`: 413, the body read once, no JSON nulls; uploads metered against their quota.
/// 10. `SessionKeyMiddleware`: the cart key from header or cookie; a new cart's key as a cookie.
/// 11. `AuthenticationMiddleware`: API keys against the contract's roles; `/metrics` access.
/// 12. `CatalogCacheMiddleware`: cached catalog reads; the cache made stale by catalog writes.
/// 13. `CartCacheMiddleware`: cached cart reads and quotes.
///
/// Then `OperationRouter` calls the operation (or answers 404/405). The composition is static: no
/// existential calls or allocations per layer beyond the async frames.
enum EdgeChain {
    struct Parts: Sendable {
        var routes: RouteTable
        var tracing: Bool
        var metrics: HTTPMetrics
        var cors: CORSPolicy
        var rateLimiter: RateLimiter
        var maxBodyBytes: Int
        var maxAssetBytes: Int
        var uploadQuota: UploadQuota?
        var cartTTL: TimeInterval
        var authenticator: Authenticator
        var metricsAccess: MetricsAccess
        var cache: ResponseCache
        var cartAnswers: CartAnswerCache
        var database: any DatabaseClient
        var carts: CartStore
        var shipDates: ShipDateCalendar
        var clock: WallClock
    }

    @MiddlewareFixedTypeBuilder<Request, Response, AtelierRequestContext>
    static func compose(_ parts: Parts) -> some MiddlewareProtocol<Request, Response, AtelierRequestContext> {
        RequestIDMiddleware()
        RoutingMiddleware(routes: parts.routes)
        TracingMiddleware(enabled: parts.tracing)
        AccessLogMiddleware(metrics: parts.metrics)
        ResponseHeadersMiddleware()
        CORSMiddleware(policy: parts.cors)
        RequestSizeMiddleware()
        RateLimitMiddleware(limiter: parts.rateLimiter)
        ProblemMiddleware()
        BodyLimitMiddleware(maxBodyBytes: parts.maxBodyBytes, maxAssetBytes: parts.maxAssetBytes,
                            uploadQuota: parts.uploadQuota, clients: parts.rateLimiter)
        SessionKeyMiddleware(cartTTL: parts.cartTTL)
        AuthenticationMiddleware(authenticator: parts.authenticator, metricsAccess: parts.metricsAccess)
        CatalogCacheMiddleware(cache: parts.cache, database: parts.database)
        CartCacheMiddleware(cache: parts.cache, answers: parts.cartAnswers, database: parts.database, carts: parts.carts,
                            shipDates: parts.shipDates, clock: parts.clock)
    }
}
