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

/// When a checkout's payment was last looked up at its provider, so each round of the reconciliation of lost
/// webhooks asks about the checkouts asked least recently first.
struct AddCheckoutPaymentChecks: Migration {
    let name = "0014_add_checkout_payment_checks"

    func prepare(on db: any SQLDatabase, backend: SQLBackend) async throws {
        try await db.raw("ALTER TABLE checkouts ADD COLUMN payment_checked_at \(unsafeRaw: ColumnType.timestamp(backend))").run()
    }
}
