import AtelierCore
import Foundation

/// The privacy module's settings: the keys customer personal data is sealed with, and how long what nobody
/// needs any more is kept.
public struct PrivacySettings: Sendable {
    /// Keys for customer personal data; nil keeps generated keys in `ATELIER_DATA_DIR/keys.json`.
    public var personalDataKeys: PersonalDataCipher?
    /// How long abandoned checkouts, unused assets and email copies are kept.
    public var retention = RetentionSettings()

    public init() {}

    /// Reads the variables below; a bad one is recorded in `reader` (never echoing key material) and leaves its default.
    package static func read(_ reader: inout EnvironmentReader) -> PrivacySettings {
        var settings = PrivacySettings()
        switch (reader.value("ATELIER_DATA_KEYS"), reader.value("ATELIER_LOOKUP_KEY")) {
        case (nil, nil):
            break
        case (let keys?, let lookup?):
            do {
                settings.personalDataKeys = try PersonalDataKeys.parse(keys: keys, lookup: lookup)
            } catch {
                // Never echo key material.
                reader.problems.append("ATELIER_DATA_KEYS/ATELIER_LOOKUP_KEY: \(error.reason)")
            }
        default:
            reader.problems.append("ATELIER_DATA_KEYS and ATELIER_LOOKUP_KEY: set both or neither")
        }
        settings.retention.checkoutDays = reader.integer("ATELIER_RETENTION_CHECKOUT_DAYS", default: settings.retention.checkoutDays, in: 1...3650)
        settings.retention.assetHours = reader.integer("ATELIER_RETENTION_ASSET_HOURS", default: settings.retention.assetHours, in: 1...87_600)
        settings.retention.mailDays = reader.integer("ATELIER_RETENTION_MAIL_DAYS", default: settings.retention.mailDays, in: 1...3650)
        return settings
    }

    /// The variables `read` reads, as the README documents them.
    public static let variables: [EnvironmentVariable] = [
        .init("ATELIER_DATA_KEYS", "(unset: generated into ATELIER_DATA_DIR/keys.json)", "ID:BASE64[,ID:BASE64…] AES-256 keys for customer data; the first encrypts, all decrypt"),
        .init("ATELIER_LOOKUP_KEY", "(required with ATELIER_DATA_KEYS)", "BASE64 32-byte key of the keyed hash customers are found by (never rotate)"),
        .init("ATELIER_RETENTION_CHECKOUT_DAYS", "30", "expired or cancelled checkouts that never became an order (with their sealed contact data) are deleted after this many days"),
        .init("ATELIER_RETENTION_ASSET_HOURS", "6", "uploads and previews that no order, cart, session or open checkout uses are deleted after this many hours"),
        .init("ATELIER_RETENTION_MAIL_DAYS", "90", "sealed copies of sent emails are deleted after this many days"),
    ]
}
