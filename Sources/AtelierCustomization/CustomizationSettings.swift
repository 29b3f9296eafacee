import AtelierCore
import Foundation

/// The customization module's settings.
public struct CustomizationSettings: Sendable {
    /// How long a customization session lives after its last update.
    public var sessionTTL: TimeInterval = 86_400

    public init() {}

    /// Reads the variables below; a bad one is recorded in `reader` and leaves its default.
    package static func read(_ reader: inout EnvironmentReader) -> CustomizationSettings {
        var settings = CustomizationSettings()
        settings.sessionTTL = reader.seconds("ATELIER_SESSION_TTL_SECONDS", default: settings.sessionTTL, in: 60...31_536_000)
        return settings
    }

    /// The variables `read` reads, as the README documents them.
    public static let variables: [EnvironmentVariable] = [
        .init("ATELIER_SESSION_TTL_SECONDS", "86400", "how long a customization session lives after its last update"),
    ]
}
