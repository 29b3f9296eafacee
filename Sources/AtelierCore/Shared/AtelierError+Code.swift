extension AtelierError {
    /// A stable machine code of the public contract (`total_changed`, `validation_failed`, …), in a problem
    /// document's `code` and in each of its `errors`.
    ///
    /// Each module declares the codes it throws as static constants (`<Module>ErrorCodes.swift`), so a call site
    /// names one (`code: .totalChanged`). On purpose not `ExpressibleByStringLiteral`: a bare string does not
    /// compile where a code is expected. It encodes as its plain string.
    public struct Code: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
        /// The snake_case code clients see.
        public let rawValue: String

        public init(_ rawValue: String) {
            self.rawValue = rawValue
        }

        public init(rawValue: String) {
            self.rawValue = rawValue
        }

        public var description: String { rawValue }

        public init(from decoder: any Decoder) throws {
            rawValue = try decoder.singleValueContainer().decode(String.self)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(rawValue)
        }
    }
}
