/// Collects field errors so that a caller reports every problem at once.
public struct ValidationErrors: Sendable {
    public private(set) var errors: [AtelierError.FieldError] = []

    public init() {}

    public mutating func add(_ pointer: String, _ code: AtelierError.Code, _ message: String) {
        errors.append(.init(pointer: pointer, code: code, message: message))
    }

    public var isEmpty: Bool { errors.isEmpty }

    /// Throws `validation_failed` with every collected error, if there is any.
    public func check() throws(AtelierError) {
        if !errors.isEmpty { throw AtelierError.validation(errors) }
    }
}
