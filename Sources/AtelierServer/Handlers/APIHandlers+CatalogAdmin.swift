import Atelier
import AtelierAPI
import Foundation
import OpenAPIRuntime

extension APIHandlers {
    func createCategory(_ input: Operations.CreateCategory.Input) async throws -> Operations.CreateCategory.Output {
        guard case .json(let body) = input.body else { throw AtelierError.badRequest("Send a JSON body.") }
        let store = services.categories
        let category = try await database.transaction { db in try await store.create(slug: body.slug, name: body.name, on: db) }
        return .created(.init(body: .json(.init(slug: category.slug, name: category.name))))
    }

    func deleteCategory(_ input: Operations.DeleteCategory.Input) async throws -> Operations.DeleteCategory.Output {
        let (store, slug) = (services.categories, input.path.categorySlug)
        try await database.transaction { db in try await store.delete(slug: slug, on: db) }
        return .noContent(.init())
    }

    func uploadCatalogImage(_ input: Operations.UploadCatalogImage.Input) async throws -> Operations.UploadCatalogImage.Output {
        let body: HTTPBody = switch input.body {
        case .png(let body), .jpeg(let body), .imageWebp(let body), .binary(let body): body
        }
        let (store, actor) = (services.assets, try caller().id)
        let staged = try await StagedUpload.stage(body, into: configuration.server.uploadStagingDirectory, maxBytes: configuration.assets.maxAssetBytes,
                                                  identity: store.identity)
        defer { staged.discard() }
        let info = try await store.verify(staged)
        let asset = try await database.transaction { db in try await store.saveCatalogImage(staged, as: info, by: actor, on: db) }
        return .created(.init(body: .json(Components.Schemas.Asset(asset))))
    }

    func listAdminProducts(_ input: Operations.ListAdminProducts.Input) async throws -> Operations.ListAdminProducts.Output {
        let (filter, page) = try Self.listRequest(limit: input.query.limit, cursor: input.query.cursor,
                                                  category: input.query.category, search: input.query.q, publicOnly: false)
        let store = services.products
        let result = try await database.withConnection { db in try await store.list(filter, page: page, on: db) }
        return .ok(.init(body: .json(.init(items: result.items.map(Components.Schemas.Product.init), nextCursor: result.nextCursor))))
    }

    func createProduct(_ input: Operations.CreateProduct.Input) async throws -> Operations.CreateProduct.Output {
        guard case .json(let body) = input.body else { throw AtelierError.badRequest("Send a JSON body.") }
        let definition = try definition(from: body)
        let store = services.products
        let product = try await database.transaction { db in
            try AtelierError.check(definition.mismatches + (try await store.problems(of: definition.value, on: db)))
            return try await store.create(definition.value, on: db)
        }
        return .created(.init(body: .json(.init(product))))
    }

    func getAdminProduct(_ input: Operations.GetAdminProduct.Input) async throws -> Operations.GetAdminProduct.Output {
        .ok(.init(body: .json(.init(try await product(input.path.productId)))))
    }

    func replaceProduct(_ input: Operations.ReplaceProduct.Input) async throws -> Operations.ReplaceProduct.Output {
        guard case .json(let body) = input.body else { throw AtelierError.badRequest("Send a JSON body.") }
        let definition = try definition(from: body)
        let (store, id) = (services.products, input.path.productId)
        let product = try await database.transaction { db in
            guard try await store.find(id, on: db)?.id == id else { throw AtelierError.notFound("Product '\(id)'") }
            try AtelierError.check(definition.mismatches + (try await store.problems(of: definition.value, on: db)))
            return try await store.replace(id: id, with: definition.value, on: db)
        }
        return .ok(.init(body: .json(.init(product))))
    }

    func deleteProduct(_ input: Operations.DeleteProduct.Input) async throws -> Operations.DeleteProduct.Output {
        let (store, id) = (services.products, input.path.productId)
        try await database.transaction { db in try await store.delete(id: id, on: db) }
        return .noContent(.init())
    }

    func archiveProduct(_ input: Operations.ArchiveProduct.Input) async throws -> Operations.ArchiveProduct.Output {
        let (store, id) = (services.products, input.path.productId)
        let product = try await database.transaction { db in try await store.archive(id: id, on: db) }
        return .ok(.init(body: .json(.init(product))))
    }

    func listTemplateVersions(_ input: Operations.ListTemplateVersions.Input) async throws -> Operations.ListTemplateVersions.Output {
        let product = try await product(input.path.productId)
        let store = services.templates
        let versions = try await database.withConnection { db in try await store.all(productId: product.id, on: db) }
        return .ok(.init(body: .json(.init(items: versions.map { .init($0, currency: product.definition.currency) }))))
    }

    func publishTemplate(_ input: Operations.PublishTemplate.Input) async throws -> Operations.PublishTemplate.Output {
        guard case .json(let body) = input.body else { throw AtelierError.badRequest("Send a JSON body.") }
        var money = MoneyReader(currency: configuration.catalog.shopCurrency)
        let definition = TemplateDefinition(body, money: &money)
        let (store, id, actor) = (services.templates, input.path.productId, try caller().id)
        let mismatches = money.mismatches
        let version = try await database.transaction { db in
            try AtelierError.check(mismatches + definition.problems())
            return try await store.publish(definition, productId: id, by: actor, on: db)
        }
        return .created(.init(body: .json(.init(version, currency: configuration.catalog.shopCurrency))))
    }

    func getInventory(_ input: Operations.GetInventory.Input) async throws -> Operations.GetInventory.Output {
        let product = try await product(input.path.productId)
        let store = services.inventory
        let items = try await database.withConnection { db in try await store.items(productId: product.id, on: db) }
        return .ok(.init(body: .json(.init(items: items.map(Components.Schemas.InventoryItem.init)))))
    }

    func updateInventory(_ input: Operations.UpdateInventory.Input) async throws -> Operations.UpdateInventory.Output {
        guard case .json(let body) = input.body else { throw AtelierError.badRequest("Send a JSON body.") }
        var problems = ValidationErrors()
        var settings: [InventoryStore.Setting] = []
        for (index, item) in body.items.enumerated() {
            switch (item.variant, item.component) {
            case (let variant?, nil):
                settings.append(.init(target: .variant(variant.additionalProperties), tracked: item.tracked, onHand: item.onHand ?? 0))
            case (nil, let component?):
                settings.append(.init(target: .component(component), tracked: item.tracked, onHand: item.onHand ?? 0))
            default:
                problems.add("/items/\(index)", .invalidTarget, "name exactly one of variant or component.")
            }
        }
        try problems.check()
        let (products, templates, inventory) = (services.products, services.templates, services.inventory)
        let (id, requested) = (input.path.productId, settings)
        let items = try await database.transaction { db in
            guard let product = try await products.find(id, on: db), product.id == id else { throw AtelierError.notFound("Product '\(id)'") }
            let template = try await templates.current(for: product, on: db)
            return try await inventory.apply(requested, to: product, template: template?.definition, on: db)
        }
        return .ok(.init(body: .json(.init(items: items.map(Components.Schemas.InventoryItem.init)))))
    }

    func bulkUploadProducts(_ input: Operations.BulkUploadProducts.Input) async throws -> Operations.BulkUploadProducts.Output {
        let items: [CatalogImport.Item]
        let pointer: @Sendable (Int) -> String
        var mismatches: [AtelierError.FieldError] = []
        switch input.body {
        case .json(let upload):
            var money = MoneyReader(currency: configuration.catalog.shopCurrency)
            items = upload.products.enumerated().map { index, entry in
                CatalogImport.Item(
                    definition: ProductDefinition(entry.product, money: &money, at: "/products/\(index)"),
                    template: entry.template.map { TemplateDefinition($0, money: &money, at: "/products/\(index)/template") }
                )
            }
            mismatches = money.mismatches
            pointer = { "/products/\($0)" }
        case .csv(let body):
            let data = try await Data(collecting: body, upTo: configuration.server.maxBodyBytes)
            guard let text = String(data: data, encoding: .utf8) else {
                throw AtelierError(.unprocessable, code: .malformedCsv, title: "Malformed CSV", detail: "The CSV is not UTF-8 text.")
            }
            let parsed = try CatalogCSV.parse(text, currency: configuration.catalog.shopCurrency)
            items = parsed.items
            let lines = parsed.firstRows
            pointer = { "/rows/\(lines[$0])" }
        }
        try AtelierError.check(mismatches)
        let importer = services.catalogImport
        let actor = try caller().id
        let outcome = try await database.transaction { db in
            try await importer.apply(items, pointerForItem: pointer, by: actor, on: db)
        }
        func refs(_ list: [Product]) -> [Components.Schemas.ProductRef] { list.map { .init(id: $0.id, slug: $0.definition.slug) } }
        return .ok(.init(body: .json(.init(created: refs(outcome.created), updated: refs(outcome.updated),
                                           templatesPublished: outcome.templatesPublished))))
    }

    // MARK: - Helpers

    private func product(_ id: String) async throws -> Product {
        let store = services.products
        guard let product = try await database.withConnection({ db in try await store.find(id, on: db) }), product.id == id else {
            throw AtelierError.notFound("Product '\(id)'")
        }
        return product
    }

    private func definition(from body: Components.Schemas.ProductInput) throws -> (value: ProductDefinition, mismatches: [AtelierError.FieldError]) {
        var money = MoneyReader(currency: configuration.catalog.shopCurrency)
        let definition = ProductDefinition(body, money: &money)
        return (definition, money.mismatches)
    }
}
