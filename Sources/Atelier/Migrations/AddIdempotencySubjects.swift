import AtelierCore
import AtelierAssets
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import AtelierDelivery
import AtelierInsights
import AtelierPrivacy
import AtelierAccess
import SQLKit

/// Stored answers of idempotent requests are sealed, so what they are about (a checkout's id) is kept
/// beside them in the clear: erasure and retention find them without opening them.
struct AddIdempotencySubjects: Migration {
    let name = "0010_add_idempotency_subjects"

    func prepare(on db: any SQLDatabase, backend: SQLBackend) async throws {
        try await db.raw("ALTER TABLE idempotency_keys ADD COLUMN subject TEXT").run()
        try await db.raw("CREATE INDEX idempotency_keys_subject ON idempotency_keys (subject)").run()
    }
}
