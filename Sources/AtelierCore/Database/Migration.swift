import Foundation
import Logging
import SQLKit

/// One step of the schema. Once applied somewhere it is never edited: later changes are new migrations.
public protocol Migration: Sendable {
    /// Stable name recorded in `schema_migrations`; never renamed.
    var name: String { get }
    /// Whether a build from before this migration still works on the schema after it: it only adds tables,
    /// nullable (or defaulted) columns or indexes that older code never reads nor has to write. Recorded with the
    /// migration, so that during a rolling upgrade a node of the previous release that restarts after the new
    /// release migrated may start. False unless a migration says so.
    var additive: Bool { get }
    func prepare(on db: any SQLDatabase, backend: SQLBackend) async throws
}

extension Migration {
    public var additive: Bool { false }
}
