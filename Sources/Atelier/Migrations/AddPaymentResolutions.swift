import SQLKit

/// What became of a payment that could not make an order (refunded, or why the refund failed), and
/// an index to list those that need an admin.
struct AddPaymentResolutions: Migration {
    let name = "0007_add_payment_resolutions"

    func prepare(on db: any SQLDatabase, backend: SQLBackend) async throws {
        try await db.raw("ALTER TABLE payment_events ADD COLUMN resolution TEXT").run()
        try await db.raw("CREATE INDEX payment_events_outcome ON payment_events (outcome, received_at)").run()
    }
}
