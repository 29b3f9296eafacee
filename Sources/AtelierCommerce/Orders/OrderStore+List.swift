import AtelierCore
import Foundation
import SQLKit

extension OrderStore {
    public struct ListFilter: Sendable {
        public var status: OrderStatus?
        public var from: Date?
        public var to: Date?
        public var productId: String?
        public var emailHash: String?
        /// The order's number, exactly (`A-2026-000123`).
        public var number: String?
        /// Orders still to ship (paid, in production or fulfilled) expected to ship on, or before, a shop-local day.
        public var due: Due?

        public enum Due: Sendable, Equatable {
            case on(String)
            case before(String)
        }

        /// The order of the list: newest first (the default), or soonest expected ship date first.
        public var sort: Sort = .newest

        public enum Sort: Sendable, Equatable { case newest, dueFirst }

        public init(status: OrderStatus? = nil, from: Date? = nil, to: Date? = nil, productId: String? = nil, emailHash: String? = nil,
                    number: String? = nil) {
            self.number = number
            self.status = status
            self.from = from
            self.to = to
            self.productId = productId
            self.emailHash = emailHash
        }
    }

    /// Newest first, by keyset on (created_at, id).
    public func list(_ filter: ListFilter, page: PageRequest, on db: any SQLDatabase) async throws -> Page<OrderSummary> {
        var query = db.select().columns(OrderSummary.columns.map { SQLColumn($0, table: "o") })
            .from(SQLAlias(SQLIdentifier("orders"), as: SQLIdentifier("o")))
        if let productId = filter.productId {
            guard !productId.containsNUL else { return Page(items: [], nextCursor: nil) }
            query = query.join(SQLAlias(SQLIdentifier("order_products"), as: SQLIdentifier("p")), on: SQLColumn("order_id", table: "p"), .equal, SQLColumn("id", table: "o"))
                .where(SQLColumn("product_id", table: "p"), .equal, SQLBind(productId))
        }
        if let status = filter.status { query = query.where(SQLColumn("status", table: "o"), .equal, SQLBind(status.rawValue)) }
        if let from = filter.from { query = query.where(SQLColumn("created_at", table: "o"), .greaterThanOrEqual, SQLBind(from)) }
        if let to = filter.to { query = query.where(SQLColumn("created_at", table: "o"), .lessThan, SQLBind(to)) }
        if let hash = filter.emailHash { query = query.where(SQLColumn("email_hash", table: "o"), .equal, SQLBind(hash)) }
        if let number = filter.number { query = query.where(SQLColumn("number", table: "o"), .equal, SQLBind(number)) }
        if let due = filter.due {
            query = query.where(SQLColumn("status", table: "o"), .in, SQLBind.group(OrderStatus.toShip.map(\.rawValue)))
            switch due {
            case .on(let day): query = query.where(SQLColumn("expected_ship_date", table: "o"), .equal, SQLBind(day))
            case .before(let day): query = query.where(SQLColumn("expected_ship_date", table: "o"), .lessThan, SQLBind(day))
            }
        }
        // The cursor names the last order seen; the list continues strictly past it in its order. Its values are
        // compared inside the database, never read out and bound again: a timestamp's round trip through `Date` can
        // move it by a hair, and the last order of a page would come again on the next. An unknown cursor finds nothing.
        switch filter.sort {
        case .newest:
            if let after = page.after {
                query = query.where(SQLQueryString(
                    "(o.created_at, o.id) < (SELECT c.created_at, c.id FROM orders c WHERE c.id = \(bind: after))"))
            }
            query = query.orderBy(SQLOrderBy(expression: SQLColumn("created_at", table: "o"), direction: SQLDirection.descending))
                .orderBy(SQLOrderBy(expression: SQLColumn("id", table: "o"), direction: SQLDirection.descending))
        case .dueFirst:
            if let after = page.after {
                query = query.where(SQLQueryString("""
                    (o.expected_ship_date, o.created_at, o.id) >
                    (SELECT c.expected_ship_date, c.created_at, c.id FROM orders c WHERE c.id = \(bind: after))
                    """))
            }
            query = query.orderBy(SQLOrderBy(expression: SQLColumn("expected_ship_date", table: "o"), direction: SQLDirection.ascending))
                .orderBy(SQLOrderBy(expression: SQLColumn("created_at", table: "o"), direction: SQLDirection.ascending))
                .orderBy(SQLOrderBy(expression: SQLColumn("id", table: "o"), direction: SQLDirection.ascending))
        }
        let rows = try await query.limit(page.limit + 1).all()
        let orders = try rows.prefix(page.limit).map(OrderSummary.init(row:))
        return Page(items: orders, nextCursor: rows.count > page.limit ? orders.last.map { PageRequest.cursor(for: $0.id) } : nil)
    }
}
