import AtelierCore

/// Codes AtelierAssets throws (uploads and images); also used by the modules above it.
/// The raw values are part of the public contract: never change one.
extension AtelierError.Code {
    /// The request body is larger than the server accepts.
    public static let contentTooLarge = Self("content_too_large")
    /// An image has more pixels than allowed.
    public static let imageTooLarge = Self("image_too_large")
    /// An upload could not be staged on disk.
    public static let `internal` = Self("internal")
    /// An upload is not a PNG, JPEG or WebP image (read from its bytes).
    public static let unsupportedImageType = Self("unsupported_image_type")

    /// Every code declared in this file, for the contract test (Swift cannot list static members).
    public static let assetsCodes: [AtelierError.Code] = [
        .contentTooLarge, .imageTooLarge, .internal, .unsupportedImageType,
    ]
}
