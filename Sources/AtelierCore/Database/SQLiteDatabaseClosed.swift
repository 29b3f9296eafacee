import Logging
import NIOCore
import SQLKit
import SQLiteKit
import SQLiteNIO
import ServiceLifecycle

struct SQLiteDatabaseClosed: Error, CustomStringConvertible {
    var description: String { "the SQLite database is closed" }
}
