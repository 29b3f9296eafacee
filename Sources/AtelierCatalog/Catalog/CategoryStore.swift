import AtelierCore
import Foundation
import SQLKit

public struct CategoryStore: Sendable {
    private let clock: WallClock

    public init(clock: WallClock = .system) { self.clock = clock }

    struct Row: Codable {
        var id: String
        var slug: String
        var name: String
        var createdAt: Date

        var category: Category { Category(id: id, slug: slug, name: name, createdAt: createdAt) }
    }

    static let decoder = SnakeCaseColumns.decoder

    public func create(slug: String, name: String, on db: any SQLDatabase) async throws -> Category {
        var problems = ValidationErrors()
        if !FieldRules.isSlug(slug) {
            problems.add("/slug", .invalidSlug, "must be 1–\(CatalogLimits.slugMaxLength) characters of a–z, 0–9 and single hyphens.")
        }
        FieldRules.checkName(name, at: "/name", into: &problems)
        try problems.check()
        if try await find(slug: slug, on: db) != nil {
            throw AtelierError(.conflict, code: .slugTaken, title: "Slug taken", detail: "A category with the slug '\(slug)' exists.")
        }
        let row = Row(id: Identifier.make(prefix: "cat", at: clock.now), slug: slug, name: name.trimmingCharacters(in: .whitespaces), createdAt: clock.now)
        try await db.insert(into: "categories").model(row, keyEncodingStrategy: .convertToSnakeCase).run()
        try await CatalogRevision.bump(on: db)
        return row.category
    }

    public func find(slug: String, on db: any SQLDatabase) async throws -> Category? {
        guard !slug.containsNUL else { return nil }
        return try await db.select().column("*").from("categories").where("slug", .equal, slug)
            .first(decoding: Row.self, with: Self.decoder)?.category
    }

    public func all(on db: any SQLDatabase) async throws -> [Category] {
        try await db.select().column("*").from("categories").orderBy("slug").limit(1000)
            .all(decoding: Row.self, with: Self.decoder).map(\.category)
    }

    public func slugs(on db: any SQLDatabase) async throws -> Set<String> {
        Set(try await db.select().column("slug").from("categories").all(decodingColumn: "slug", as: String.self))
    }

    /// Deletes an unused category; one that products still name is a 409.
    public func delete(slug: String, on db: any SQLDatabase) async throws {
        guard try await find(slug: slug, on: db) != nil else { throw AtelierError.notFound("Category '\(slug)'") }
        let used = try await db.raw("SELECT COUNT(*) AS n FROM products WHERE category = \(bind: slug)")
            .first(decodingColumn: "n", as: Int.self) ?? 0
        if used > 0 {
            throw AtelierError(.conflict, code: .categoryInUse, title: "Category in use",
                               detail: "\(used) product(s) are in '\(slug)'; move them first.")
        }
        try await db.delete(from: "categories").where("slug", .equal, slug).run()
        try await CatalogRevision.bump(on: db)
    }
}
