import AtelierCore
import Foundation
import SQLKit

/// Reads and writes products. Every write validates the whole definition first and bumps the
/// catalog revision in the same transaction; run writes inside `DatabaseClient.transaction`.
public struct ProductStore: Sendable {
    public let shopCurrency: String
    private let clock: WallClock

    public init(shopCurrency: String, clock: WallClock = .system) {
        self.shopCurrency = shopCurrency
        self.clock = clock
    }

    package struct Row: Codable {
        var id: String
        var slug: String
        var definition: String
        var templateVersion: Int?
        var revision: Int
        var archivedAt: Date?
        var createdAt: Date
        var updatedAt: Date
        var minPrice: Int64
        var maxPrice: Int64
        var minLeadDays: Int
        var maxLeadDays: Int

        package func product() throws -> Product {
            Product(
                id: id, definition: try Coding.decoder.decode(ProductDefinition.self, from: Data(definition.utf8)),
                templateVersion: templateVersion, revision: revision, archivedAt: archivedAt,
                createdAt: createdAt, updatedAt: updatedAt, minPrice: minPrice, maxPrice: maxPrice,
                minLeadDays: minLeadDays, maxLeadDays: maxLeadDays
            )
        }
    }

    package static let rowDecoder = SnakeCaseColumns.decoder
    package static let columns = [
        "id", "slug", "definition", "template_version", "revision", "archived_at", "created_at", "updated_at",
        "min_price", "max_price", "min_lead_days", "max_lead_days",
    ]

    /// Every problem with a definition, including those that need the database (unknown category).
    /// `knownCategories` saves the lookup when many definitions are checked together.
    public func problems(of definition: ProductDefinition, at root: String = "", knownCategories: Set<String>? = nil,
                         on db: any SQLDatabase) async throws -> [AtelierError.FieldError] {
        var categories = knownCategories ?? []
        if knownCategories == nil, definition.category != nil { categories = try await CategoryStore().slugs(on: db) }
        return definition.problems(shopCurrency: shopCurrency, knownCategories: categories, at: root)
    }

    public func create(_ definition: ProductDefinition, on db: any SQLDatabase) async throws -> Product {
        try AtelierError.check(try await problems(of: definition, on: db))
        if try await find(definition.slug, on: db) != nil { throw Self.slugTaken(definition.slug) }
        let now = clock.now
        let id = Identifier.make(prefix: "prod", at: now)
        try await db.insert(into: "products")
            .columns("id", "slug", "name", "search_name", "category", "active", "currency", "base_price", "min_price",
                     "max_price", "min_lead_days", "max_lead_days", "definition", "revision", "created_at", "updated_at")
            .values(try Self.values(id: id, definition, revision: 1, created: now, updated: now))
            .run()
        try await CatalogRevision.bump(on: db)
        return try await find(id, on: db)!
    }

    /// Replaces the whole definition. Concurrent replacements of one product never lose each other's
    /// check: the update applies only to the revision that was read.
    public func replace(id: String, with definition: ProductDefinition, on db: any SQLDatabase) async throws -> Product {
        guard let existing = try await find(id, on: db), existing.id == id else { throw AtelierError.notFound("Product '\(id)'") }
        try AtelierError.check(try await problems(of: definition, on: db))
        if definition.slug != existing.definition.slug, let other = try await find(definition.slug, on: db), other.id != id {
            throw Self.slugTaken(definition.slug)
        }
        let now = clock.now
        let (minPrice, maxPrice, minLead, maxLead) = Self.ranges(definition)
        let updated = try await db.raw("""
            UPDATE products SET slug = \(bind: definition.slug), name = \(bind: definition.name),
                search_name = \(bind: Self.searchText(definition.name)), category = \(bind: definition.category),
                active = \(bind: definition.active), currency = \(bind: definition.currency),
                base_price = \(bind: definition.basePrice), min_price = \(bind: minPrice), max_price = \(bind: maxPrice),
                min_lead_days = \(bind: minLead), max_lead_days = \(bind: maxLead),
                definition = \(bind: try Coding.encode(definition)), revision = revision + 1, updated_at = \(bind: now)
            WHERE id = \(bind: id) AND revision = \(bind: existing.revision)
            RETURNING id
            """).all()
        guard !updated.isEmpty else {
            throw AtelierError(.conflict, code: .concurrentUpdate, title: "Changed meanwhile",
                               detail: "The product changed while this update was applied; read it again and retry.")
        }
        try await CatalogRevision.bump(on: db)
        return try await find(id, on: db)!
    }

    /// By id (`prod_…`) or by slug.
    public func find(_ idOrSlug: String, on db: any SQLDatabase) async throws -> Product? {
        guard !idOrSlug.containsNUL else { return nil }
        let column = idOrSlug.hasPrefix("prod_") ? "id" : "slug"
        return try await db.select().columns(Self.columns.map { SQLColumn($0) }).from("products")
            .where(SQLColumn(column), .equal, SQLBind(idOrSlug))
            .first(decoding: Row.self, with: Self.rowDecoder)?.product()
    }

    public struct ListFilter: Sendable {
        public var category: String?
        public var search: String?
        public var publicOnly: Bool

        public init(category: String? = nil, search: String? = nil, publicOnly: Bool) {
            self.category = category
            self.search = search
            self.publicOnly = publicOnly
        }
    }

    /// Products in id (creation) order, filtered, one keyset page at a time.
    public func list(_ filter: ListFilter, page: PageRequest, on db: any SQLDatabase) async throws -> Page<Product> {
        if filter.category?.containsNUL == true || filter.search?.containsNUL == true { return Page(items: [], nextCursor: nil) }
        var query = db.select().columns(Self.columns.map { SQLColumn($0) }).from("products")
        if filter.publicOnly {
            query = query.where("active", .equal, true).where("archived_at", .is, SQLLiteral.null)
        }
        if let category = filter.category { query = query.where("category", .equal, category) }
        if let search = filter.search.map(Self.searchText), !search.isEmpty {
            let pattern = "%" + Self.escapeLike(search) + "%"
            query = query.where(SQLQueryString("search_name LIKE \(bind: pattern) ESCAPE '!'"))
        }
        if let after = page.after { query = query.where("id", .greaterThan, after) }
        let rows = try await query.orderBy("id").limit(page.limit + 1).all(decoding: Row.self, with: Self.rowDecoder)
        return try page.page(from: rows, key: \.id) { try $0.product() }
    }

    /// Deletes a product with its template versions and stock records, unless something still names it:
    /// orders, checkouts and live carts keep the product and its templates (409 `product_in_use`); archiving
    /// hides such a product instead.
    public func delete(id: String, on db: any SQLDatabase) async throws {
        guard !id.containsNUL,
              try await db.raw("SELECT id FROM products WHERE id = \(bind: id)\(unsafeRaw: db.rowLock())").first() != nil
        else { throw AtelierError.notFound("Product '\(id)'") }
        let users = try await usage(of: id, on: db)
        guard users.isEmpty else { throw Self.inUse(id, users) }
        try await db.raw("DELETE FROM products WHERE id = \(bind: id)").run()
        try await CatalogRevision.bump(on: db)
    }

    /// What still names a product: orders, checkouts that made no order (pending, expired or cancelled, until
    /// retention removes them) and carts that have not expired.
    public struct Usage: Sendable, Equatable {
        public var orders: Int
        public var checkouts: Int
        public var carts: Int

        public var isEmpty: Bool { orders == 0 && checkouts == 0 && carts == 0 }
    }

    public func usage(of id: String, on db: any SQLDatabase) async throws -> Usage {
        func count(_ query: SQLQueryString) async throws -> Int {
            try await db.raw(query).first(decodingColumn: "n", as: Int.self) ?? 0
        }
        // Checkouts keep their lines only in the frozen snapshot (JSON with sorted keys and no spaces).
        let inSnapshot = "%\"productId\":\"" + Self.escapeLike(id) + "\"%"
        return Usage(
            orders: try await count("SELECT COUNT(*) AS n FROM order_products WHERE product_id = \(bind: id)"),
            checkouts: try await count("""
                SELECT COUNT(*) AS n FROM checkouts WHERE order_id IS NULL AND snapshot LIKE \(bind: inSnapshot) ESCAPE '!'
                """),
            carts: try await count("""
                SELECT COUNT(DISTINCT l.cart_id) AS n FROM cart_lines l JOIN carts c ON c.id = l.cart_id
                WHERE l.product_id = \(bind: id) AND c.expires_at > \(bind: clock.now)
                """))
    }

    static func inUse(_ id: String, _ usage: Usage) -> AtelierError {
        func counted(_ n: Int, _ noun: String) -> String? { n == 0 ? nil : "\(n) \(noun)\(n == 1 ? "" : "s")" }
        let users = [counted(usage.orders, "order"), counted(usage.checkouts, "checkout"), counted(usage.carts, "cart")].compactMap { $0 }
        let verb = usage.orders + usage.checkouts + usage.carts == 1 ? "uses" : "use"
        return AtelierError(
            .conflict, code: .productInUse, title: "Product in use",
            detail: users.joined(separator: ", ") + " \(verb) this product, "
                + "which keeps it and its template versions; archive it instead (POST /admin/products/\(id)/archive) "
                + "to take it out of the catalog.",
            members: ["orders": String(usage.orders), "checkouts": String(usage.checkouts), "carts": String(usage.carts)])
    }

    /// Hides a product from the public catalog for good while keeping it for the records that name it.
    public func archive(id: String, on db: any SQLDatabase) async throws -> Product {
        guard !id.containsNUL else { throw AtelierError.notFound("Product '\(id)'") }
        let updated = try await db.raw("""
            UPDATE products SET archived_at = \(bind: clock.now), revision = revision + 1, updated_at = \(bind: clock.now)
            WHERE id = \(bind: id) AND archived_at IS NULL RETURNING id
            """).all()
        guard let product = try await find(id, on: db), product.id == id else { throw AtelierError.notFound("Product '\(id)'") }
        if !updated.isEmpty { try await CatalogRevision.bump(on: db) }
        return product
    }

    static func slugTaken(_ slug: String) -> AtelierError {
        AtelierError(.conflict, code: .slugTaken, title: "Slug taken", detail: "Another product has the slug '\(slug)'.")
    }

    static func ranges(_ definition: ProductDefinition) -> (Int64, Int64, Int, Int) {
        let price = definition.priceRange() ?? (definition.basePrice, definition.basePrice)
        let lead = definition.leadTimeRange() ?? (definition.baseLeadTimeDays, definition.baseLeadTimeDays)
        return (price.min, price.max, lead.min, lead.max)
    }

    static func values(id: String, _ definition: ProductDefinition, revision: Int, created: Date, updated: Date) throws -> [any SQLExpression] {
        let (minPrice, maxPrice, minLead, maxLead) = ranges(definition)
        return [
            SQLBind(id), SQLBind(definition.slug), SQLBind(definition.name), SQLBind(searchText(definition.name)),
            SQLBind(definition.category), SQLBind(definition.active), SQLBind(definition.currency),
            SQLBind(definition.basePrice), SQLBind(minPrice), SQLBind(maxPrice), SQLBind(minLead), SQLBind(maxLead),
            SQLBind(try Coding.encode(definition)), SQLBind(revision), SQLBind(created), SQLBind(updated),
        ]
    }

    /// Case-folded text that search compares against, the same way for both databases.
    static func searchText(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).lowercased()
    }

    /// Escapes LIKE wildcards (with `!`) so that a search for "50%" finds "50%", not everything.
    static func escapeLike(_ text: String) -> String {
        text.replacingOccurrences(of: "!", with: "!!").replacingOccurrences(of: "%", with: "!%")
            .replacingOccurrences(of: "_", with: "!_")
    }
}

extension AtelierError {
    /// Throws `validation_failed` with these errors, if there are any.
    public static func check(_ errors: [FieldError]) throws(AtelierError) {
        if !errors.isEmpty { throw AtelierError.validation(errors) }
    }
}
