import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Foundation
import SQLKit

/// Adding an item to a shopper's cart: a product with its selection and options, or a customization session, is
/// checked and priced as it is now, then written as a line (or merged into the identical line) — in the caller's
/// transaction, with the cart's row held from the first read, so two tabs adding at once count against the
/// limits one after the other. A shopper without a cart gets one, and its key.
public struct CartAddition: Sendable {
    public enum Item: Sendable {
        /// A product by id or slug, with the shopper's variant selection and option values.
        case product(String, CustomizationState)
        /// A customization session, whose choices and preview go into the line.
        case session(String)
    }

    /// The cart after the addition, and the key of a cart made for it (nil when the shopper had one).
    public struct Added: Sendable {
        public var cart: Cart
        public var merged: Bool
        public var newKey: String?
    }

    let carts: CartStore
    let sessions: SessionStore
    let products: ProductStore
    let jobs: JobQueue
    let memo: CatalogMemo?

    public init(carts: CartStore, sessions: SessionStore, products: ProductStore, jobs: JobQueue, memo: CatalogMemo?) {
        self.carts = carts
        self.sessions = sessions
        self.products = products
        self.jobs = jobs
        self.memo = memo
    }

    public func add(_ item: Item, quantity: Int, cartKey: String?, on db: any SQLDatabase) async throws -> Added {
        try carts.checkQuantity(quantity)
        let line = try await line(for: item, quantity: quantity, on: db)
        let (cart, newKey) = try await carts.findOrCreate(key: cartKey, on: db, forUpdate: true)
        let added = try await carts.add(line, toHeld: cart, on: db)
        return Added(cart: added.cart, merged: added.merged, newKey: newKey)
    }

    /// The line an item makes, checked and priced; 404 for a product shoppers cannot see, 422 for choices that cannot
    /// be bought.
    private func line(for item: Item, quantity: Int, on db: any SQLDatabase) async throws -> CartStore.NewLine {
        switch item {
        case .session(let sessionId):
            let session = try await sessions.find(id: sessionId, on: db)
            let (evaluation, product, _) = try await sessions.evaluate(session, products: products, memo: memo, on: db)
            guard evaluation.valid else {
                throw AtelierError(.unprocessable, code: .sessionInvalid, title: "The session has errors",
                                   detail: "Fix the session's errors before adding it to the cart.", errors: evaluation.errors)
            }
            let preview = try await PreviewJobs.readyAsset(for: session, queue: jobs, on: db)
            return CartStore.NewLine(productId: product.id, templateVersion: session.templateVersion, state: session.state,
                                     sessionId: session.id, previewAssetId: preview, quantity: quantity,
                                     unitPrice: evaluation.unitPrice, currency: evaluation.currency)
        case .product(let ref, let state):
            guard let product = try await product(ref, on: db), product.isPubliclyVisible else {
                throw AtelierError.notFound("Product '\(ref)'")
            }
            let subject = CustomizationCheck.Subject(productId: product.id, templateVersion: product.templateVersion, state: state)
            let result = try await CustomizationCheck(memo: memo).check([subject], on: db).results[0]
            guard result.valid else {
                throw AtelierError(.unprocessable, code: .selectionInvalid, title: "The selection has errors",
                                   detail: "This selection cannot be bought; see errors. Customizable products are added from a session.",
                                   errors: result.errors)
            }
            return CartStore.NewLine(productId: product.id, templateVersion: product.templateVersion, state: state,
                                     quantity: quantity, unitPrice: result.unit.total, currency: result.currency)
        }
    }

    /// The product by id or slug, from the node's memory while the catalog's revision is the one it was kept at (the
    /// checkout reads the catalog from the database again).
    private func product(_ ref: String, on db: any SQLDatabase) async throws -> Product? {
        let revision = memo?.revision
        if let revision, let known = memo?.product(ref: ref, at: revision) { return known }
        guard let product = try await products.find(ref, on: db) else { return nil }
        if let revision { memo?.keep(product, at: revision) }
        return product
    }
}
