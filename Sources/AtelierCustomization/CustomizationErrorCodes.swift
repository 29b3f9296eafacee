import AtelierCore

/// Codes AtelierCustomization throws (sessions, zone checks, previews); also used by the modules above it.
/// The raw values are part of the public contract: never change one.
extension AtelierError.Code {
    /// A text colour the zone does not offer.
    public static let colourNotAllowed = Self("colour_not_allowed")
    /// A chosen component that is sold out.
    public static let componentSoldOut = Self("component_sold_out")
    /// Customization text with a control character.
    public static let controlCharacters = Self("control_characters")
    /// A component chosen twice.
    public static let duplicateComponent = Self("duplicate_component")
    /// An uploaded image with more bytes than the zone accepts.
    public static let fileTooLarge = Self("file_too_large")
    /// An uploaded image of a type the zone does not accept.
    public static let fileTypeNotAllowed = Self("file_type_not_allowed")
    /// A font the zone does not offer.
    public static let fontNotAllowed = Self("font_not_allowed")
    /// An image with fewer pixels than the zone needs.
    public static let imageTooSmall = Self("image_too_small")
    /// A product without customization zones.
    public static let notCustomizable = Self("not_customizable")
    /// A colour that is not in the zone's palette.
    public static let notInPalette = Self("not_in_palette")
    /// The product is no longer offered.
    public static let productUnavailable = Self("product_unavailable")
    /// An image with too few pixels for the zone's print size and dpi.
    public static let resolutionTooLow = Self("resolution_too_low")
    /// A customization session past its expiry.
    public static let sessionExpired = Self("session_expired")
    /// A customization session with errors (or with choices the product does not have).
    public static let sessionInvalid = Self("session_invalid")
    /// A customization session with too many choices.
    public static let sessionTooLarge = Self("session_too_large")
    /// The chosen variant is sold out.
    public static let soldOut = Self("sold_out")
    /// The design template no longer exists.
    public static let templateUnavailable = Self("template_unavailable")
    /// Fewer components chosen than the zone needs.
    public static let tooFewComponents = Self("too_few_components")
    /// More components chosen than the zone allows.
    public static let tooManyComponents = Self("too_many_components")
    /// Customization text with more lines than allowed.
    public static let tooManyLines = Self("too_many_lines")
    /// Customization text shorter than allowed.
    public static let tooShort = Self("too_short")
    /// An image id that was never uploaded.
    public static let unknownAsset = Self("unknown_asset")
    /// A zone code the template does not have.
    public static let unknownZone = Self("unknown_zone")
    /// A zone value of another kind than the zone.
    public static let wrongKind = Self("wrong_kind")

    /// Every code declared in this file, for the contract test (Swift cannot list static members).
    public static let customizationCodes: [AtelierError.Code] = [
        .colourNotAllowed, .componentSoldOut, .controlCharacters, .duplicateComponent, .fileTooLarge,
        .fileTypeNotAllowed, .fontNotAllowed, .imageTooSmall, .notCustomizable, .notInPalette, .productUnavailable,
        .resolutionTooLow, .sessionExpired, .sessionInvalid, .sessionTooLarge, .soldOut, .templateUnavailable,
        .tooFewComponents, .tooManyComponents, .tooManyLines, .tooShort, .unknownAsset, .unknownZone, .wrongKind,
    ]
}
