/// The database named by the configuration cannot be used, and waiting will not change that (or waiting has
/// run out): a certificate that fails verification, a refused login, a database that does not exist.
public struct DatabaseUnusable: Error, CustomStringConvertible {
    public let host: String
    public let port: Int
    public let reason: String

    public var description: String { "PostgreSQL at \(host):\(port) cannot be used: \(reason)" }
}
