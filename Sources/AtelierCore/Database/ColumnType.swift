import Foundation
import Logging
import SQLKit

/// Column types spelled for each engine, for the few types SQL does not share.
public enum ColumnType {
    /// A point in time: `TIMESTAMPTZ` on PostgreSQL, seconds since 1970 as `REAL` on SQLite
    /// (the representation sqlite-nio reads and writes for `Date`).
    public static func timestamp(_ backend: SQLBackend) -> String {
        backend == .postgres ? "TIMESTAMPTZ" : "REAL"
    }
}
