import Foundation
import Logging
import NIOConcurrencyHelpers

/// Sets up swift-log once for the process, as the configuration asks.
public enum LoggingSetup {
    public static func bootstrap(format: String, level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            if format == "text" {
                var handler = StreamLogHandler.standardOutput(label: label)
                handler.logLevel = level
                return handler
            }
            return JSONLogHandler(label: label, level: level)
        }
    }
}
