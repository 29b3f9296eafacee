import Atelier

/// Codes only the HTTP edge throws (routing, request limits, body decoding, handlers).
/// The raw values are part of the public contract: never change one.
extension AtelierError.Code {
    /// Request headers larger than the server accepts.
    public static let headersTooLarge = Self("headers_too_large")
    /// A body that does not match the schema (or contains null).
    public static let invalidBody = Self("invalid_body")
    /// A date-time that is not RFC 3339.
    public static let invalidDateTime = Self("invalid_date_time")
    /// An admin cancellation reason with control characters.
    public static let invalidReason = Self("invalid_reason")
    /// A malformed session key.
    public static let invalidSessionKey = Self("invalid_session_key")
    /// An inventory item that names both or neither of variant and component.
    public static let invalidTarget = Self("invalid_target")
    /// A body value the schema does not allow.
    public static let invalidValue = Self("invalid_value")
    /// A body that is not valid JSON.
    public static let malformedJson = Self("malformed_json")
    /// A fulfillment update that is not the documented document.
    public static let malformedUpdate = Self("malformed_update")
    /// A method the route does not answer.
    public static let methodNotAllowed = Self("method_not_allowed")
    /// Metrics asked for without the metrics token.
    public static let metricsTokenRequired = Self("metrics_token_required")
    /// A body value that is null where a value is expected.
    public static let missingValue = Self("missing_value")
    /// An Accept header that allows none of the answer types.
    public static let notAcceptable = Self("not_acceptable")
    /// Choices sent with a session id when adding to the cart.
    public static let notAllowed = Self("not_allowed")
    /// Readiness while the database does not answer.
    public static let notReady = Self("not_ready")
    /// A null in a JSON body.
    public static let nullNotAllowed = Self("null_not_allowed")
    /// A provider or fulfillment call this server is not configured for.
    public static let providerNotConfigured = Self("provider_not_configured")
    /// The client used its allowance for this kind of call.
    public static let rateLimited = Self("rate_limited")
    /// Revoking the API key making the call.
    public static let revokingOwnKey = Self("revoking_own_key")
    /// No route matches the path.
    public static let routeNotFound = Self("route_not_found")
    /// A cart addition with both or neither of sessionId and product.
    public static let sessionOrProduct = Self("session_or_product")
    /// A checkout whose expectedTotal differs from the server total.
    public static let totalChanged = Self("total_changed")
    /// A body of a content type the operation does not take.
    public static let unsupportedMediaType = Self("unsupported_media_type")
    /// The client used its upload allowance.
    public static let uploadQuotaExceeded = Self("upload_quota_exceeded")
    /// A request target longer than the server accepts.
    public static let uriTooLong = Self("uri_too_long")
    /// A body value of the wrong JSON type.
    public static let wrongType = Self("wrong_type")

    /// Every code declared in this file, for the contract test (Swift cannot list static members).
    public static let serverCodes: [AtelierError.Code] = [
        .headersTooLarge, .invalidBody, .invalidDateTime, .invalidReason, .invalidSessionKey, .invalidTarget,
        .invalidValue, .malformedJson, .malformedUpdate, .methodNotAllowed, .metricsTokenRequired, .missingValue,
        .notAcceptable, .notAllowed, .notReady, .nullNotAllowed, .providerNotConfigured, .rateLimited, .revokingOwnKey,
        .routeNotFound, .sessionOrProduct, .totalChanged, .unsupportedMediaType, .uploadQuotaExceeded, .uriTooLong,
        .wrongType,
    ]
}
