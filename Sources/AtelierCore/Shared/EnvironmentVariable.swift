/// One documented environment variable: a row of the README's configuration table. Each module's settings
/// struct lists the variables it reads (`…Settings.variables`); `AtelierConfiguration.variables` joins them.
public struct EnvironmentVariable: Sendable, Equatable {
    public var name: String
    /// The default as the README states it (`8080`, `(unset: SQLite)`, …).
    public var defaultValue: String
    public var meaning: String

    public init(_ name: String, _ defaultValue: String, _ meaning: String) {
        self.name = name
        self.defaultValue = defaultValue
        self.meaning = meaning
    }
}
