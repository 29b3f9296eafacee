import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Foundation
import SQLKit
import Synchronization

extension CartStore.LineRow {
    /// Reads a row column by column: every cart read decodes all its lines, and the generic row
    /// decoder's snake_case conversion costs more than the query.
    init(row: any SQLRow) throws {
        id = try row.decode(column: "id", as: String.self)
        cartId = try row.decode(column: "cart_id", as: String.self)
        lineKey = try row.decode(column: "line_key", as: String.self)
        position = try row.decode(column: "position", as: Int.self)
        productId = try row.decode(column: "product_id", as: String.self)
        templateVersion = try row.decode(column: "template_version", as: Int?.self)
        state = try row.decode(column: "state", as: String.self)
        sessionId = try row.decode(column: "session_id", as: String?.self)
        previewAssetId = try row.decode(column: "preview_asset_id", as: String?.self)
        quantity = try row.decode(column: "quantity", as: Int.self)
        unitPrice = try row.decode(column: "unit_price", as: Int64.self)
        currency = try row.decode(column: "currency", as: String.self)
        createdAt = try row.decode(column: "created_at", as: Date.self)
        updatedAt = try row.decode(column: "updated_at", as: Date.self)
    }
}
