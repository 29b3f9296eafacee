import AtelierCore
import Foundation
import SQLKit

/// Tax rates by country and region. Writes bump the catalog revision, like shipping methods.
public struct TaxRateStore: Sendable {
    private let clock: WallClock

    public init(clock: WallClock = .system) { self.clock = clock }

    struct Row: Codable {
        var id: String
        var name: String
        var country: String
        var region: String
        var ratePpm: Int64
        var appliesToShipping: Bool
        var createdAt: Date
        var updatedAt: Date

        var rate: TaxRate {
            TaxRate(id: id, name: name, country: country, region: region.isEmpty ? nil : region, ratePpm: ratePpm,
                    appliesToShipping: appliesToShipping)
        }
    }

    static let decoder = SnakeCaseColumns.decoder

    public func all(on db: any SQLDatabase) async throws -> [TaxRate] {
        try await db.select().column("*").from("tax_rates").orderBy("country").orderBy("region").orderBy("name")
            .all(decoding: Row.self, with: Self.decoder).map(\.rate)
    }

    /// The rates that apply to a destination: its country's and its region's.
    public func rates(for destination: Destination, on db: any SQLDatabase) async throws -> [TaxRate] {
        try await db.select().column("*").from("tax_rates").where("country", .equal, destination.country)
            .where { $0.where("region", .equal, "").orWhere("region", .equal, destination.region ?? "") }
            .orderBy("region").orderBy("name")
            .all(decoding: Row.self, with: Self.decoder).map(\.rate)
    }

    public func find(id: String, on db: any SQLDatabase) async throws -> TaxRate? {
        guard Identifier.isWellFormed(id, prefix: "tax") else { return nil }
        return try await db.select().column("*").from("tax_rates").where("id", .equal, id)
            .first(decoding: Row.self, with: Self.decoder)?.rate
    }

    public func create(_ input: TaxRateInput, on db: any SQLDatabase) async throws -> TaxRate {
        let now = clock.now
        let rate = try input.validated(id: Identifier.make(prefix: "tax", at: now))
        try await insertOrConflict(rate, at: now, on: db)
        return rate
    }

    public func replace(id: String, with input: TaxRateInput, on db: any SQLDatabase) async throws -> TaxRate {
        guard let existing = try await find(id: id, on: db) else { throw AtelierError.notFound("Tax rate '\(id)'") }
        let rate = try input.validated(id: existing.id)
        // Delete and insert in one transaction: the unique (country, region, name) check then covers the new values.
        try await db.delete(from: "tax_rates").where("id", .equal, id).run()
        try await insertOrConflict(rate, at: clock.now, on: db)
        return rate
    }

    public func delete(id: String, on db: any SQLDatabase) async throws {
        guard Identifier.isWellFormed(id, prefix: "tax"),
            !(try await db.raw("DELETE FROM tax_rates WHERE id = \(bind: id) RETURNING id").all()).isEmpty
        else { throw AtelierError.notFound("Tax rate '\(id)'") }
        try await CatalogRevision.bump(on: db)
    }

    private func insertOrConflict(_ rate: TaxRate, at now: Date, on db: any SQLDatabase) async throws {
        let inserted = try await db.raw("""
            INSERT INTO tax_rates (id, name, country, region, rate_ppm, applies_to_shipping, created_at, updated_at)
            VALUES (\(bind: rate.id), \(bind: rate.name), \(bind: rate.country), \(bind: rate.region ?? ""), \(bind: rate.ratePpm),
                    \(bind: rate.appliesToShipping), \(bind: now), \(bind: now))
            ON CONFLICT (country, region, name) DO NOTHING RETURNING id
            """).all()
        guard !inserted.isEmpty else {
            throw AtelierError(.conflict, code: .duplicateTaxRate, title: "Tax rate exists",
                               detail: "\(rate.country)\(rate.region.map { "-\($0)" } ?? "") already has a rate named '\(rate.name)'.")
        }
        try await CatalogRevision.bump(on: db)
    }
}
