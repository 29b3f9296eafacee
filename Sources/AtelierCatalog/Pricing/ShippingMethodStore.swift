import AtelierCore
import Foundation
import SQLKit

/// Shipping methods, each kept as one JSON document keyed by its code. Writes bump the catalog
/// revision: quotes depend on them as carts depend on the catalog.
public struct ShippingMethodStore: Sendable {
    private let clock: WallClock

    public init(clock: WallClock = .system) { self.clock = clock }

    struct Row: Codable {
        var code: String
        var position: Int
        var definition: String
        var createdAt: Date
        var updatedAt: Date
    }

    static let decoder = SnakeCaseColumns.decoder

    public func all(on db: any SQLDatabase) async throws -> [ShippingMethod] {
        try await db.select().column("*").from("shipping_methods").orderBy("position").orderBy("code")
            .all(decoding: Row.self, with: Self.decoder)
            .map { try Coding.decoder.decode(ShippingMethod.self, from: Data($0.definition.utf8)) }
    }

    public func find(code: String, on db: any SQLDatabase) async throws -> ShippingMethod? {
        guard FieldRules.isCode(code) else { return nil }
        return try await db.select().column("*").from("shipping_methods").where("code", .equal, code)
            .first(decoding: Row.self, with: Self.decoder)
            .map { try Coding.decoder.decode(ShippingMethod.self, from: Data($0.definition.utf8)) }
    }

    /// Creates the method; 409 `duplicate_code` when one with its code exists.
    public func create(_ method: ShippingMethod, on db: any SQLDatabase) async throws -> ShippingMethod {
        try AtelierError.check(method.problems())
        let now = clock.now
        let inserted = try await db.raw("""
            INSERT INTO shipping_methods (code, position, definition, created_at, updated_at)
            VALUES (\(bind: method.code), \(bind: method.position), \(bind: try Coding.encode(method)), \(bind: now), \(bind: now))
            ON CONFLICT (code) DO NOTHING RETURNING code
            """).all()
        guard !inserted.isEmpty else {
            throw AtelierError(.conflict, code: .duplicateCode, title: "Code already used",
                               detail: "A shipping method with the code '\(method.code)' exists; replace it with PUT.")
        }
        try await CatalogRevision.bump(on: db)
        return method
    }

    /// Replaces the method stored under `code`; the code itself cannot change.
    public func replace(code: String, with method: ShippingMethod, on db: any SQLDatabase) async throws -> ShippingMethod {
        var problems = method.problems()
        if method.code != code, FieldRules.isCode(method.code) {
            problems.append(.init(pointer: "/code", code: .codeMismatch, message: "must be '\(code)', the code in the path."))
        }
        guard try await find(code: code, on: db) != nil else { throw AtelierError.notFound("Shipping method '\(code)'") }
        try AtelierError.check(problems)
        try await db.update("shipping_methods")
            .set("position", to: method.position).set("definition", to: try Coding.encode(method)).set("updated_at", to: clock.now)
            .where("code", .equal, code).run()
        try await CatalogRevision.bump(on: db)
        return method
    }

    public func delete(code: String, on db: any SQLDatabase) async throws {
        guard FieldRules.isCode(code),
            !(try await db.raw("DELETE FROM shipping_methods WHERE code = \(bind: code) RETURNING code").all()).isEmpty
        else { throw AtelierError.notFound("Shipping method '\(code)'") }
        try await CatalogRevision.bump(on: db)
    }
}
