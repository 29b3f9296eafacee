/// Generic codes: used by AtelierCore itself or by several modules (the lowest module every user sees).
/// The raw values are part of the public contract: never change one.
extension AtelierError.Code {
    /// A request that cannot be read: a missing or malformed parameter or header.
    public static let badRequest = Self("bad_request")
    /// The API key's role may not make this call.
    public static let forbidden = Self("forbidden")
    /// An unexpected failure; the details are only in the log.
    public static let internalError = Self("internal_error")
    /// A text field contains control characters (or characters its zone does not allow).
    public static let invalidCharacters = Self("invalid_characters")
    /// A page cursor this API did not hand out.
    public static let invalidCursor = Self("invalid_cursor")
    /// A value that is not an email address (a shopper's contact, a staff account's sign-in).
    public static let invalidEmail = Self("invalid_email")
    /// The named resource does not exist.
    public static let notFound = Self("not_found")
    /// A number or length outside its allowed range.
    public static let outOfRange = Self("out_of_range")
    /// A required field or list is missing or empty.
    public static let required = Self("required")
    /// A text or range longer than allowed.
    public static let tooLong = Self("too_long")
    /// No API key, or an unknown or revoked one.
    public static let unauthorized = Self("unauthorized")
    /// The input was read but is invalid; `errors` lists every problem.
    public static let validationFailed = Self("validation_failed")

    /// Every code declared in this file, for the contract test (Swift cannot list static members).
    public static let coreCodes: [AtelierError.Code] = [
        .badRequest, .forbidden, .internalError, .invalidCharacters, .invalidCursor, .invalidEmail, .notFound, .outOfRange,
        .required, .tooLong, .unauthorized, .validationFailed,
    ]
}
