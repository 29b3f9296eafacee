import Atelier
import AtelierAPI
import Foundation

extension APIHandlers {
    func listCategories(_ input: Operations.ListCategories.Input) async throws -> Operations.ListCategories.Output {
        let store = services.categories
        let all = try await database.withConnection { db in try await store.all(on: db) }
        return .ok(.init(body: .json(.init(items: all.map { .init(slug: $0.slug, name: $0.name) }))))
    }

    func listProducts(_ input: Operations.ListProducts.Input) async throws -> Operations.ListProducts.Output {
        let (filter, page) = try Self.listRequest(limit: input.query.limit, cursor: input.query.cursor,
                                                  category: input.query.category, search: input.query.q, publicOnly: true)
        let store = services.products
        let result = try await database.withConnection { db in try await store.list(filter, page: page, on: db) }
        return .ok(.init(body: .json(.init(items: result.items.map(Components.Schemas.ProductSummary.init), nextCursor: result.nextCursor))))
    }

    func getProduct(_ input: Operations.GetProduct.Input) async throws -> Operations.GetProduct.Output {
        let ref = input.path.productRef
        let (products, templates, inventory) = (services.products, services.templates, services.inventory)
        let body = try await database.withConnection { db -> Components.Schemas.PublicProduct in
            guard let product = try await products.find(ref, on: db), product.isPubliclyVisible else {
                throw AtelierError.notFound("Product '\(ref)'")
            }
            let template = try await templates.current(for: product, on: db)
            let items = try await inventory.items(productId: product.id, on: db)
            let availability = InventoryStore.availability(of: product, template: template?.definition, items: items)
            return .init(product, template: template, availability: availability)
        }
        return .ok(.init(body: .json(body)))
    }

    func getTemplateVersion(_ input: Operations.GetTemplateVersion.Input) async throws -> Operations.GetTemplateVersion.Output {
        let (ref, version) = (input.path.productRef, input.path.version)
        let (products, templates) = (services.products, services.templates)
        let body = try await database.withConnection { db -> Components.Schemas.TemplateVersion in
            guard let product = try await products.find(ref, on: db), product.isPubliclyVisible,
                let template = try await templates.find(productId: product.id, version: version, on: db)
            else { throw AtelierError.notFound("Template version \(version) of product '\(ref)'") }
            return .init(template, currency: product.definition.currency)
        }
        return .ok(.init(body: .json(body)))
    }

    func checkSelection(_ input: Operations.CheckSelection.Input) async throws -> Operations.CheckSelection.Output {
        guard case .json(let body) = input.body else { throw AtelierError.badRequest("Send a JSON body.") }
        let selection = body.selection?.additionalProperties ?? [:]
        let options = body.options?.additionalProperties ?? [:]
        try InputShape.check(selection: selection, options: options)
        let ref = input.path.productRef
        let (products, inventory) = (services.products, services.inventory)
        let check = try await database.withConnection { db -> Components.Schemas.SelectionCheck in
            guard let product = try await products.find(ref, on: db), product.isPubliclyVisible else {
                throw AtelierError.notFound("Product '\(ref)'")
            }
            let definition = product.definition
            var errors = definition.problems(ofSelection: selection) + definition.problems(ofOptions: options)
            if errors.isEmpty, !definition.dimensions.isEmpty {
                let soldOut = try await inventory.items(productId: product.id, on: db).contains {
                    $0.target == .variant(selection) && $0.available == 0
                }
                if soldOut { errors.append(.init(pointer: "/selection", code: .soldOut, message: "this variant is sold out.")) }
            }
            guard errors.isEmpty else {
                return .init(valid: false, errors: errors.map { .init(pointer: $0.pointer, code: $0.code.rawValue, message: $0.message) })
            }
            return .init(
                valid: true, errors: [],
                unitPrice: .init(definition.unitPrice(selection: selection, options: options), definition.currency),
                leadTimeDays: definition.leadTimeDays(selection: selection),
                sku: definition.sku(for: selection)
            )
        }
        return .ok(.init(body: .json(check)))
    }

    /// Validated list parameters shared by the public and the admin product lists.
    static func listRequest(limit: Int?, cursor: String?, category: String?, search: String?, publicOnly: Bool)
        throws(AtelierError) -> (ProductStore.ListFilter, PageRequest)
    {
        var problems = ValidationErrors()
        if let category, !(1...80).contains(category.unicodeScalars.count) {
            problems.add("/category", .outOfRange, "category must be 1–80 characters.")
        }
        if let search, !(1...100).contains(search.unicodeScalars.count) {
            problems.add("/q", .outOfRange, "q must be 1–100 characters.")
        }
        let page: PageRequest
        do {
            page = try PageRequest(limit: limit, cursor: cursor)
        } catch {
            throw AtelierError.validation(problems.errors + error.errors)
        }
        try problems.check()
        return (.init(category: category, search: search, publicOnly: publicOnly), page)
    }
}
