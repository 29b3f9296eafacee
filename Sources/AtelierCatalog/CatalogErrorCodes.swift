import AtelierCore

/// Codes AtelierCatalog throws (products, templates, categories, inventory, shipping, tax); also used by the
/// modules above it.
/// The raw values are part of the public contract: never change one.
extension AtelierError.Code {
    /// Deleting a category that products still name.
    public static let categoryInUse = Self("category_in_use")
    /// The code in a shipping method body differs from the one in the path.
    public static let codeMismatch = Self("code_mismatch")
    /// A product changed between reading and writing it.
    public static let concurrentUpdate = Self("concurrent_update")
    /// An amount in another currency than the shop sells in.
    public static let currencyMismatch = Self("currency_mismatch")
    /// A zone's minimum dpi over its print size needs more pixels than its maximum.
    public static let dpiUnreachable = Self("dpi_unreachable")
    /// A code (or font) listed twice; or a shipping method code already used.
    public static let duplicateCode = Self("duplicate_code")
    /// An inventory item listed twice in one update.
    public static let duplicateItem = Self("duplicate_item")
    /// An add-on option chosen twice.
    public static let duplicateOption = Self("duplicate_option")
    /// Two rates of a shipping method cover the same destination.
    public static let duplicateRate = Self("duplicate_rate")
    /// Two products of one import share a slug.
    public static let duplicateSlug = Self("duplicate_slug")
    /// Creating a tax rate for a destination that has one.
    public static let duplicateTaxRate = Self("duplicate_tax_rate")
    /// A variant combination listed twice.
    public static let duplicateVariant = Self("duplicate_variant")
    /// A components zone lists no component.
    public static let emptyComponents = Self("empty_components")
    /// A variant dimension has no value.
    public static let emptyDimension = Self("empty_dimension")
    /// An option set has no option.
    public static let emptyOptionSet = Self("empty_option_set")
    /// A colour or text zone offers no colour.
    public static let emptyPalette = Self("empty_palette")
    /// An exclusion rule names no dimension value.
    public static let emptyRule = Self("empty_rule")
    /// An explicit variant list that is empty.
    public static let emptyVariants = Self("empty_variants")
    /// A selection an exclusion rule forbids.
    public static let excludedCombination = Self("excluded_combination")
    /// An add-on option that is not offered at the moment.
    public static let inactiveOption = Self("inactive_option")
    /// A dimension value that is not offered at the moment.
    public static let inactiveValue = Self("inactive_value")
    /// Only some of printWidthMm, printHeightMm and minDpi are given.
    public static let incompletePrintSize = Self("incomplete_print_size")
    /// A code that is not lowercase a–z, 0–9 and _.
    public static let invalidCode = Self("invalid_code")
    /// A colour that is not #rrggbb.
    public static let invalidColour = Self("invalid_colour")
    /// A country that is not an ISO 3166-1 alpha-2 code.
    public static let invalidCountry = Self("invalid_country")
    /// A zone's box without a positive width and height.
    public static let invalidGeometry = Self("invalid_geometry")
    /// A tax rate that is not a percentage above 0 and at most 100.
    public static let invalidRate = Self("invalid_rate")
    /// A region that is not an ISO 3166-2 subdivision code.
    public static let invalidRegion = Self("invalid_region")
    /// A SKU or SKU fragment that is empty, too long or not visible characters.
    public static let invalidSku = Self("invalid_sku")
    /// A slug that is not lowercase a–z, 0–9 and single hyphens.
    public static let invalidSlug = Self("invalid_slug")
    /// A CSV row whose template_json is not a template document.
    public static let invalidTemplate = Self("invalid_template")
    /// A URL that is not an allowed http(s) URL.
    public static let invalidUrl = Self("invalid_url")
    /// An uploaded CSV that cannot be parsed.
    public static let malformedCsv = Self("malformed_csv")
    /// A minimum greater than its maximum.
    public static let minExceedsMax = Self("min_exceeds_max")
    /// An option set's minSelect is more than its active options.
    public static let minExceedsOptions = Self("min_exceeds_options")
    /// A CSV without a required column.
    public static let missingColumn = Self("missing_column")
    /// A selection that leaves out a variant dimension.
    public static let missingDimension = Self("missing_dimension")
    /// A product's cheapest combination would cost less than nothing.
    public static let negativePrice = Self("negative_price")
    /// A variant dimension none of whose values is active.
    public static let noActiveValue = Self("no_active_value")
    /// Stock for a variant of a product without variant dimensions.
    public static let noVariants = Self("no_variants")
    /// A CSV field that is not true or false.
    public static let notABoolean = Self("not_a_boolean")
    /// A CSV field that is not a whole number.
    public static let notAnInteger = Self("not_an_integer")
    /// Weight brackets out of ascending order.
    public static let notAscending = Self("not_ascending")
    /// A combination that is not one of the product's variants.
    public static let notOffered = Self("not_offered")
    /// Deleting a product that orders or live carts name.
    public static let productInUse = Self("product_in_use")
    /// A region given with the "*" country.
    public static let regionWithoutCountry = Self("region_without_country")
    /// No (or the chosen) shipping method ships the cart to the destination.
    public static let shippingUnavailable = Self("shipping_unavailable")
    /// Another product or category has the slug.
    public static let slugTaken = Self("slug_taken")
    /// Fewer add-on options chosen than the set needs.
    public static let tooFewOptions = Self("too_few_options")
    /// A list longer than allowed.
    public static let tooMany = Self("too_many")
    /// More add-on options chosen than the set allows.
    public static let tooManyOptions = Self("too_many_options")
    /// Rules for another kind of zone than the zone is.
    public static let unexpectedRules = Self("unexpected_rules")
    /// A category slug that does not exist.
    public static let unknownCategory = Self("unknown_category")
    /// A CSV column the import does not know.
    public static let unknownColumn = Self("unknown_column")
    /// A component code the template does not have.
    public static let unknownComponent = Self("unknown_component")
    /// A dimension code the product does not have.
    public static let unknownDimension = Self("unknown_dimension")
    /// An allowed image type that is not png, jpeg or webp.
    public static let unknownFileType = Self("unknown_file_type")
    /// A font that is not in the font catalog.
    public static let unknownFont = Self("unknown_font")
    /// An add-on option code the set does not have.
    public static let unknownOption = Self("unknown_option")
    /// An option set code the product does not have.
    public static let unknownOptionSet = Self("unknown_option_set")
    /// A subdivision code the country does not have.
    public static let unknownRegion = Self("unknown_region")
    /// A value code the dimension does not have.
    public static let unknownValue = Self("unknown_value")
    /// A zone on a view the template does not have.
    public static let unknownView = Self("unknown_view")
    /// A CSV row with another number of fields than the header.
    public static let wrongFieldCount = Self("wrong_field_count")
    /// A zone's box that does not lie within its view.
    public static let zoneOutsideView = Self("zone_outside_view")

    /// Every code declared in this file, for the contract test (Swift cannot list static members).
    public static let catalogCodes: [AtelierError.Code] = [
        .categoryInUse, .codeMismatch, .concurrentUpdate, .currencyMismatch, .dpiUnreachable, .duplicateCode,
        .duplicateItem, .duplicateOption, .duplicateRate, .duplicateSlug, .duplicateTaxRate, .duplicateVariant,
        .emptyComponents, .emptyDimension, .emptyOptionSet, .emptyPalette, .emptyRule, .emptyVariants,
        .excludedCombination, .inactiveOption, .inactiveValue, .incompletePrintSize, .invalidCode, .invalidColour,
        .invalidCountry, .invalidGeometry, .invalidRate, .invalidRegion, .invalidSku, .invalidSlug, .invalidTemplate,
        .invalidUrl, .malformedCsv, .minExceedsMax, .minExceedsOptions, .missingColumn, .missingDimension,
        .negativePrice, .noActiveValue, .noVariants, .notABoolean, .notAnInteger, .notAscending, .notOffered,
        .productInUse, .regionWithoutCountry, .shippingUnavailable, .slugTaken, .tooFewOptions, .tooMany,
        .tooManyOptions, .unexpectedRules, .unknownCategory, .unknownColumn, .unknownComponent, .unknownDimension,
        .unknownFileType, .unknownFont, .unknownOption, .unknownOptionSet, .unknownRegion, .unknownValue, .unknownView,
        .wrongFieldCount, .zoneOutsideView,
    ]
}
