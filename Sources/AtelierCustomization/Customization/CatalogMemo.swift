import AtelierCore
import AtelierAssets
import AtelierCatalog
import Foundation
import SQLKit
import Synchronization

/// Products and template versions kept in memory between requests of one node. A product is kept
/// with the catalog revision it was read at and served only while that revision is current; every
/// catalog write bumps the revision, so a change is seen at once on the node that made it and within
/// the poll interval on the others. Template versions never change once published.
public final class CatalogMemo: Sendable {
    private struct State {
        var revision: Int64?
        var products: [String: Product] = [:]
        /// Product ids by slug, for the products kept.
        var slugs: [String: String] = [:]
        var templates: [String: TemplateVersion] = [:]
    }

    private let state = Mutex(State())
    private let readRevision: @Sendable () -> Int64?
    private let limit: Int

    /// `revision` answers the current catalog revision as this node knows it, or nil when unknown.
    public init(limit: Int = 5000, revision: @escaping @Sendable () -> Int64?) {
        self.readRevision = revision
        self.limit = limit
    }

    public var revision: Int64? { readRevision() }

    func product(id: String, at revision: Int64) -> Product? {
        state.withLock { state in
            guard state.revision == revision else { return nil }
            return state.products[id]
        }
    }

    /// A product kept at `revision`, by id or slug.
    package func product(ref: String, at revision: Int64) -> Product? {
        state.withLock { state in
            guard state.revision == revision, let id = ref.hasPrefix("prod_") ? ref : state.slugs[ref] else { return nil }
            return state.products[id]
        }
    }

    package func keep(_ product: Product, at revision: Int64) {
        state.withLock { state in
            if state.revision != revision {
                guard state.revision.map({ revision > $0 }) ?? true else { return }
                state.revision = revision
                state.products = [:]
                state.slugs = [:]
            }
            if state.products.count >= limit { (state.products, state.slugs) = ([:], [:]) }
            state.products[product.id] = product
            state.slugs[product.definition.slug] = product.id
        }
    }

    func template(productId: String, version: Int) -> TemplateVersion? {
        state.withLock { $0.templates["\(productId)#\(version)"] }
    }

    func keep(_ template: TemplateVersion) {
        state.withLock { state in
            if state.templates.count >= limit { state.templates = [:] }
            state.templates["\(template.productId)#\(template.version)"] = template
        }
    }
}
