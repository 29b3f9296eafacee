import AtelierCore
import Foundation

/// A key as handed out once at creation: the stored record and the secret token.
public struct IssuedAPIKey: Sendable {
    public var key: APIKey
    /// `atk_` + the 26 characters of the id + `_` + 43 characters of secret. Shown once.
    public var token: String
}
