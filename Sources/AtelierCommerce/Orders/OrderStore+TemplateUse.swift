import AtelierCore
import Foundation
import SQLKit

extension OrderStore {
    /// An order that has a line made with a given template version.
    public struct TemplateUse: Sendable, Equatable {
        public var orderId: String
        public var number: String
        public var version: Int
    }

    /// The newest orders (at most `limit`) with lines of the product, by the template version each line was made
    /// with: what an older version still matters for.
    public func templateUse(productId: String, limit: Int = 500, on db: any SQLDatabase) async throws -> [TemplateUse] {
        let rows = try await db.raw("""
            SELECT o.id, o.number, o.snapshot FROM orders o JOIN order_products p ON p.order_id = o.id
            WHERE p.product_id = \(bind: productId) ORDER BY o.created_at DESC, o.id DESC LIMIT \(bind: limit)
            """).all()
        var uses: [TemplateUse] = []
        for row in rows {
            let snapshot = try Coding.decoder.decode(CheckoutSnapshot.self, from: Data(try row.decode(column: "snapshot", as: String.self).utf8))
            let versions = Set(snapshot.lines.filter { $0.productId == productId }.compactMap(\.templateVersion))
            for version in versions.sorted() {
                uses.append(TemplateUse(orderId: try row.decode(column: "id", as: String.self),
                                        number: try row.decode(column: "number", as: String.self), version: version))
            }
        }
        return uses
    }
}
