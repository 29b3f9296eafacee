import AtelierCore
import SQLKit

/// The console's dashboard and its "due today" and "overdue" lists ask, of the orders still to ship, which are
/// expected to ship on or before a day, and the orders desk sorts by expected ship date. Without indexes by status
/// and ship date, and by ship date in the list's order, each is a scan of every order the shop ever took.
struct AddOrderDueIndex: Migration {
    let name = "0017_add_order_due_index"

    func prepare(on db: any SQLDatabase, backend: SQLBackend) async throws {
        try await db.raw("CREATE INDEX orders_status_ship_date ON orders (status, expected_ship_date)").run()
        try await db.raw("CREATE INDEX orders_ship_date ON orders (expected_ship_date, created_at, id)").run()
    }
}
