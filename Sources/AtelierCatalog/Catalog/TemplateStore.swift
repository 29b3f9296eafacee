import AtelierCore
import Foundation
import SQLKit

/// Publishes and reads template versions. A published version is never changed: publishing an edit
/// writes the next version, and sessions, carts and orders keep pointing at the one they used.
public struct TemplateStore: Sendable {
    private let clock: WallClock

    public init(clock: WallClock = .system) { self.clock = clock }

    struct Row: Codable {
        var id: String
        var productId: String
        var version: Int
        var definition: String
        var createdAt: Date
        var createdBy: String?

        func template() throws -> TemplateVersion {
            TemplateVersion(id: id, productId: productId, version: version,
                            definition: try Coding.decoder.decode(TemplateDefinition.self, from: Data(definition.utf8)),
                            createdAt: createdAt, createdBy: createdBy)
        }
    }

    static let decoder = SnakeCaseColumns.decoder

    /// Publishes `definition` as the product's next version. The version number comes from an atomic
    /// increment on the product row, so two designers publishing at once get two versions, not one error.
    public func publish(_ definition: TemplateDefinition, productId: String, by actor: String?, on db: any SQLDatabase) async throws -> TemplateVersion {
        try AtelierError.check(definition.problems())
        guard !productId.containsNUL else { throw AtelierError.notFound("Product '\(productId)'") }
        let now = clock.now
        guard let version = try await db.raw("""
            UPDATE products SET template_version = COALESCE(template_version, 0) + 1, revision = revision + 1,
                updated_at = \(bind: now)
            WHERE id = \(bind: productId) RETURNING template_version
            """).first(decodingColumn: "template_version", as: Int.self)
        else { throw AtelierError.notFound("Product '\(productId)'") }
        let row = Row(id: Identifier.make(prefix: "tpl", at: now), productId: productId, version: version,
                      definition: try Coding.encode(definition), createdAt: now, createdBy: actor)
        try await db.insert(into: "product_templates").model(row, keyEncodingStrategy: .convertToSnakeCase).run()
        try await CatalogRevision.bump(on: db)
        return try row.template()
    }

    public func find(productId: String, version: Int, on db: any SQLDatabase) async throws -> TemplateVersion? {
        try await db.select().column("*").from("product_templates")
            .where("product_id", .equal, productId).where("version", .equal, version)
            .first(decoding: Row.self, with: Self.decoder)?.template()
    }

    /// The product's current template version, if it has one.
    public func current(for product: Product, on db: any SQLDatabase) async throws -> TemplateVersion? {
        guard let version = product.templateVersion else { return nil }
        return try await find(productId: product.id, version: version, on: db)
    }

    public func all(productId: String, on db: any SQLDatabase) async throws -> [TemplateVersion] {
        try await db.select().column("*").from("product_templates").where("product_id", .equal, productId)
            .orderBy("version").all(decoding: Row.self, with: Self.decoder).map { try $0.template() }
    }
}
