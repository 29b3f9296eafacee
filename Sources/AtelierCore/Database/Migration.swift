import Foundation
import Logging
import SQLKit

/// One step of the schema. Once applied somewhere it is never edited: later changes are new migrations.
public protocol Migration: Sendable {
    /// Stable name recorded in `schema_migrations`; never renamed.
    var name: String { get }
    func prepare(on db: any SQLDatabase, backend: SQLBackend) async throws
}
