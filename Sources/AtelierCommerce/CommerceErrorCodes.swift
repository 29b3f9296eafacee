import AtelierCore

/// Codes AtelierCommerce throws (cart, checkout, payments, orders, refunds), with the cart flag codes; also used by
/// the modules above it.
/// The raw values are part of the public contract: never change one.
extension AtelierError.Code {
    /// Lists each allowed step of an `illegal_transition`.
    public static let allowed = Self("allowed")
    /// Quoting or checking out an empty cart.
    public static let cartEmpty = Self("cart_empty")
    /// Adding a line to a cart that has the most lines allowed.
    public static let cartLineLimit = Self("cart_line_limit")
    /// Checking out a cart with blocking flags.
    public static let cartNotReady = Self("cart_not_ready")
    /// A cart that would hold more items than allowed.
    public static let cartSizeLimit = Self("cart_size_limit")
    /// Cancelling a checkout that is paid.
    public static let checkoutPaid = Self("checkout_paid")
    /// Cart flag: the line's customization is no longer valid.
    public static let customizationInvalid = Self("customization_invalid")
    /// A refund names an order line twice.
    public static let duplicate = Self("duplicate")
    /// A checkout call without an Idempotency-Key.
    public static let idempotencyKeyRequired = Self("idempotency_key_required")
    /// An Idempotency-Key reused with another request.
    public static let idempotencyKeyReused = Self("idempotency_key_reused")
    /// An order status change that is not allowed from the current status.
    public static let illegalTransition = Self("illegal_transition")
    /// Not enough tracked stock for the quantity.
    public static let insufficientStock = Self("insufficient_stock")
    /// An Idempotency-Key of the wrong shape.
    public static let invalidIdempotencyKey = Self("invalid_idempotency_key")
    /// A phone number of the wrong shape.
    public static let invalidPhone = Self("invalid_phone")
    /// A webhook delivery whose signature does not verify.
    public static let invalidSignature = Self("invalid_signature")
    /// A provider webhook body that is not an event of that provider.
    public static let malformedEvent = Self("malformed_event")
    /// A webhook delivery without its signature headers.
    public static let missingSignature = Self("missing_signature")
    /// A refund amount of 0 or less.
    public static let notPositive = Self("not_positive")
    /// Cart flag: an add-on of the line is no longer offered.
    public static let optionUnavailable = Self("option_unavailable")
    /// Refunding a cancelled order whose remainder was refunded.
    public static let orderCancelled = Self("order_cancelled")
    /// The payment provider refused the call.
    public static let paymentProviderError = Self("payment_provider_error")
    /// The payment provider could not be reached.
    public static let paymentProviderUnavailable = Self("payment_provider_unavailable")
    /// Cart flag: the line's price changed since it was added.
    public static let priceChanged = Self("price_changed")
    /// A payment provider that is not configured on this server.
    public static let providerUnavailable = Self("provider_unavailable")
    /// A line quantity outside the allowed range.
    public static let quantityLimit = Self("quantity_limit")
    /// A refund of more than is left to refund.
    public static let refundExceedsRemaining = Self("refund_exceeds_remaining")
    /// A refund through a provider that is not configured here.
    public static let refundUnavailable = Self("refund_unavailable")
    /// A request with the same Idempotency-Key is still running.
    public static let requestInProgress = Self("request_in_progress")
    /// Adding a product whose selection has errors.
    public static let selectionInvalid = Self("selection_invalid")
    /// A webhook delivery whose timestamp is too far from the server's clock.
    public static let staleSignature = Self("stale_signature")
    /// Cart flag: the design template was updated since the line was added.
    public static let templateChanged = Self("template_changed")
    /// A refund asked for with another status change than a cancellation.
    public static let unexpected = Self("unexpected")
    /// A refund names an order line that does not exist.
    public static let unknownLine = Self("unknown_line")
    /// A shipping method code that is not active.
    public static let unknownShippingMethod = Self("unknown_shipping_method")
    /// Cart flag: the line's variant is no longer offered.
    public static let variantUnavailable = Self("variant_unavailable")

    /// Every code declared in this file, for the contract test (Swift cannot list static members).
    public static let commerceCodes: [AtelierError.Code] = [
        .allowed, .cartEmpty, .cartLineLimit, .cartNotReady, .cartSizeLimit, .checkoutPaid, .customizationInvalid,
        .duplicate, .idempotencyKeyRequired, .idempotencyKeyReused, .illegalTransition, .insufficientStock,
        .invalidIdempotencyKey, .invalidPhone, .invalidSignature, .malformedEvent, .missingSignature,
        .notPositive, .optionUnavailable, .orderCancelled, .paymentProviderError, .paymentProviderUnavailable,
        .priceChanged, .providerUnavailable, .quantityLimit, .refundExceedsRemaining, .refundUnavailable,
        .requestInProgress, .selectionInvalid, .staleSignature, .templateChanged, .unexpected, .unknownLine,
        .unknownShippingMethod, .variantUnavailable,
    ]
}
