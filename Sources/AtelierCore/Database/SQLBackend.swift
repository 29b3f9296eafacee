import Logging
import SQLKit
import ServiceLifecycle

/// Which SQL engine serves the data; queries stay the same, a few statements differ.
public enum SQLBackend: String, Sendable {
    case sqlite
    case postgres
}
