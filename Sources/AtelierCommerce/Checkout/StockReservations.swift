import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Foundation
import SQLKit

/// Holds tracked stock for unpaid checkouts. Every change is one conditional UPDATE per item inside
/// the caller's transaction, so no concurrency can take more than is on hand, and a checkout reserves
/// everything its lines need (all the components of a box) or nothing. Every change bumps the catalog
/// revision: availability and cart answers depend on stock.
public enum StockReservations {
    /// Stock a reviewed cart needs: product id → inventory key → units, summed over its lines.
    public static func demand(of review: CartReview) -> [String: [String: Int]] {
        var demand: [String: [String: Int]] = [:]
        for entry in review.lines {
            for key in Set(entry.stockKeys) { demand[entry.line.productId, default: [:]][key, default: 0] += entry.line.quantity }
        }
        return demand
    }

    /// Reserves every item or throws 409 `insufficient_stock` (the caller's transaction then rolls back
    /// whatever was reserved before).
    public static func reserve(_ demand: [String: [String: Int]], for checkoutId: String, on db: any SQLDatabase) async throws {
        guard !demand.isEmpty else { return }
        for (productId, items) in demand.sorted(by: { $0.key < $1.key }) {
            for (key, quantity) in items.sorted(by: { $0.key < $1.key }) {
                let updated = try await db.raw("""
                    UPDATE inventory_items SET reserved = reserved + \(bind: quantity)
                    WHERE product_id = \(bind: productId) AND item_key = \(bind: key) AND on_hand - reserved >= \(bind: quantity)
                    RETURNING item_key
                    """).all()
                guard !updated.isEmpty else {
                    throw AtelierError(.conflict, code: .insufficientStock, title: "Not enough stock",
                                       detail: "An item in the cart sold out while checking out; the cart shows what is left.")
                }
                try await db.raw("""
                    INSERT INTO reservations (checkout_id, product_id, item_key, quantity)
                    VALUES (\(bind: checkoutId), \(bind: productId), \(bind: key), \(bind: quantity))
                    """).run()
            }
        }
        try await CatalogRevision.bump(on: db)
    }

    /// Gives a checkout's reservations back (expired or cancelled checkouts).
    public static func release(checkoutId: String, on db: any SQLDatabase) async throws {
        let rows = try await held(by: checkoutId, on: db)
        guard !rows.isEmpty else { return }
        for row in rows {
            try await db.raw("""
                UPDATE inventory_items SET reserved = reserved - \(bind: row.quantity)
                WHERE product_id = \(bind: row.productId) AND item_key = \(bind: row.itemKey)
                """).run()
        }
        try await db.raw("DELETE FROM reservations WHERE checkout_id = \(bind: checkoutId)").run()
        try await CatalogRevision.bump(on: db)
    }

    /// Turns a paid checkout's reservations into sold stock.
    public static func commit(checkoutId: String, on db: any SQLDatabase) async throws {
        let rows = try await held(by: checkoutId, on: db)
        guard !rows.isEmpty else { return }
        for row in rows {
            try await db.raw("""
                UPDATE inventory_items SET reserved = reserved - \(bind: row.quantity), on_hand = on_hand - \(bind: row.quantity)
                WHERE product_id = \(bind: row.productId) AND item_key = \(bind: row.itemKey)
                """).run()
        }
        try await db.raw("DELETE FROM reservations WHERE checkout_id = \(bind: checkoutId)").run()
        try await CatalogRevision.bump(on: db)
    }

    struct Held: Decodable {
        var productId: String
        var itemKey: String
        var quantity: Int
    }

    static func held(by checkoutId: String, on db: any SQLDatabase) async throws -> [Held] {
        try await db.select().columns("product_id", "item_key", "quantity").from("reservations")
            .where("checkout_id", .equal, checkoutId)
            .all(decoding: Held.self, with: SnakeCaseColumns.decoder)
    }
}
