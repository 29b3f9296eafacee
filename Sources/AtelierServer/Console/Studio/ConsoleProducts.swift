import Atelier
import Foundation
import HTTPTypes
import Hummingbird

/// The studio's products: the list (search, category), the editor (every field of the definition, its images),
/// archive and delete. Writes go through the same `ProductStore` checks as the admin API.
struct ConsoleProducts: Sendable {
    let services: AppServices
    let page: ConsolePage

    static let pageSize = 50

    func list(_ query: ConsoleForm, staff: StaffSessionContext) async throws -> Response {
        let (products, categoryStore) = (services.products, services.categories)
        let chosenCategory = query.text("category")
        let search = query.text("q")
        let pageRequest: PageRequest
        do {
            pageRequest = try PageRequest(limit: Self.pageSize, cursor: query.text("cursor"))
        } catch {
            return page.error(.badRequest, heading: "Bad page", message: "That page of products does not exist; start again from the first.", staff: staff)
        }
        let (found, categories) = try await services.database.withConnection { db in
            (try await products.list(.init(category: chosenCategory, search: search, publicOnly: false), page: pageRequest, on: db),
             try await categoryStore.all(on: db))
        }
        let currency = services.configuration.catalog.shopCurrency
        let rows: [[String: Any]] = found.items.map { product in
            let image = product.definition.media.first { Self.isOwnImage($0.url) }
            return ["id": product.id, "name": product.definition.name, "slug": product.definition.slug,
                    "category": product.definition.category ?? "—",
                    "state": product.archivedAt != nil ? "archived" : (product.definition.active ? "active" : "inactive"),
                    "price": ConsoleOrders.money(product.minPrice, currency), "template": product.templateVersion.map { "v\($0)" } ?? "none",
                    "image": image?.url as Any, "alt": image?.altText ?? ""]
        }
        var next: String?
        if let cursor = found.nextCursor {
            var items = [URLQueryItem(name: "cursor", value: cursor)]
            if let search { items.append(.init(name: "q", value: search)) }
            if let chosenCategory { items.append(.init(name: "category", value: chosenCategory)) }
            var components = URLComponents()
            components.queryItems = items
            next = "/console/products?" + (components.percentEncodedQuery ?? "")
        }
        return page.render("products", title: "Products", staff: staff, values: [
            "products": rows, "hasProducts": !rows.isEmpty, "q": search ?? "", "next": next as Any,
            "categories": categories.map { ["slug": $0.slug, "name": $0.name, "selected": $0.slug == chosenCategory] as [String: Any] },
            "editable": ConsolePage.editsCatalog(staff.account.role),
        ])
    }

    /// The editor of a product, or of a new one (`id` nil).
    func editor(id: String?, staff: StaffSessionContext, form: ProductForm? = nil, errors: [AtelierError.FieldError] = [],
                message: String? = nil, notice: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let (products, categoryStore) = (services.products, services.categories)
        let found = try await services.database.withConnection { db -> (Product?, [Category]) in
            (try await id.asyncMap { try await products.find($0, on: db) } ?? nil, try await categoryStore.all(on: db))
        }
        let (product, categories) = found
        if let id, product?.id != id {
            return page.error(.notFound, heading: "No such product", message: "There is no product \(id).", staff: staff)
        }
        let currency = services.configuration.catalog.shopCurrency
        let shown = form ?? ProductForm(definition: product?.definition
            ?? ProductDefinition(slug: "", name: "", basePrice: 0, currency: currency))
        let editable = ConsolePage.editsCatalog(staff.account.role)
        let (sections, unplaced) = shown.view(categories: categories, errors: errors, readOnly: !editable)
        let title = product.map { "Product: \($0.definition.name)" } ?? "New product"
        var values = sections
        values["product"] = product.map { product -> [String: Any] in
            ["id": product.id, "revision": product.revision, "archived": product.archivedAt != nil,
             "template": product.templateVersion.map { "version \($0)" } ?? "none published",
             "price": "\(ConsoleOrders.money(product.minPrice, currency)) – \(ConsoleOrders.money(product.maxPrice, currency))"]
        } as Any
        values["action"] = product.map { "/console/products/\($0.id)" } ?? "/console/products"
        values["heading"] = title
        values["editable"] = editable
        values["message"] = message as Any
        values["notice"] = notice as Any
        values["unplaced"] = unplaced
        values["hasErrors"] = !errors.isEmpty || !shown.problems.isEmpty || message != nil
        values["errorCount"] = errors.count + shown.problems.count
        values["variantsListed"] = shown.definition.variants.map { "\($0.count)" } as Any
        return page.render("product", title: title, status: status, staff: staff, values: values)
    }

    func save(id: String?, form: ConsoleForm, staff: StaffSessionContext) async throws -> Response {
        let (products, database) = (services.products, services.database)
        let currency = services.configuration.catalog.shopCurrency
        let existing = try await id.asyncMap { id in try await database.withConnection { db in try await products.find(id, on: db) } } ?? nil
        if let id, existing?.id != id {
            return page.error(.notFound, heading: "No such product", message: "There is no product \(id).", staff: staff)
        }
        let read = ProductForm(form: form, currency: currency, existing: existing?.definition)
        if let existing, form.text("revision") != String(existing.revision) {
            return try await editor(id: id, staff: staff, form: read, message: "Someone else saved this product while you edited it. "
                                    + "Your changes are below; open the product again to see theirs.", status: .conflict)
        }
        let definition = read.definition
        let saved: Product
        do {
            saved = try await database.transaction { db in
                let problems = read.problems + (try await products.problems(of: definition, on: db))
                try AtelierError.check(problems)
                if let existing { return try await products.replace(id: existing.id, with: definition, on: db) }
                return try await products.create(definition, on: db)
            }
        } catch let error as AtelierError where error.status < 500 {
            let fieldErrors = error.errors.filter { problem in !read.problems.contains(problem) }
            let message = error.errors.isEmpty ? error.detail : nil
            var fixed = read
            if error.code == .slugTaken { fixed.problems.append(.init(pointer: "/slug", code: .slugTaken, message: error.detail)) }
            return try await editor(id: id, staff: staff, form: fixed, errors: fieldErrors,
                                    message: error.code == .slugTaken ? nil : message, status: HTTPResponse.Status(code: error.status))
        }
        return ConsolePage.redirect(to: "/console/products/\(saved.id)?saved=1")
    }

    /// An image uploaded for the product: checked as shoppers' uploads are, stored as a catalog image and added to
    /// the end of the product's media, with its alt text and view.
    func uploadImage(id: String, form: ConsoleForm, staff: StaffSessionContext) async throws -> Response {
        let (products, assets, database) = (services.products, services.assets, services.database)
        guard let file = form.file("image") else {
            return try await editor(id: id, staff: staff, message: "Choose an image file to upload.", status: .unprocessableContent)
        }
        let settings = services.configuration
        guard file.bytes.count <= settings.assets.maxAssetBytes else {
            return try await editor(id: id, staff: staff, message: "The image is larger than \(settings.assets.maxAssetBytes) bytes.",
                                    status: .contentTooLarge)
        }
        let alt = form.text("altText") ?? ""
        let view = form.text("view")
        do {
            let staged = try await StagedUpload.stage(bytes: file.bytes, into: settings.server.uploadStagingDirectory,
                                                      maxBytes: settings.assets.maxAssetBytes, identity: assets.identity)
            defer { staged.discard() }
            let info = try await assets.verify(staged)
            try await database.transaction { db in
                guard let product = try await products.find(id, on: db), product.id == id else { throw AtelierError.notFound("Product '\(id)'") }
                let asset = try await assets.saveCatalogImage(staged, as: info, by: staff.account.id, on: db)
                var definition = product.definition
                definition.media.append(.init(url: "/assets/\(asset.id)", altText: alt, view: view))
                _ = try await products.replace(id: id, with: definition, on: db)
            }
        } catch let error as AtelierError where error.status < 500 {
            return try await editor(id: id, staff: staff, message: "The image was not added: \(ConsolePage.explain(error))",
                                    status: HTTPResponse.Status(code: error.status))
        }
        return ConsolePage.redirect(to: "/console/products/\(id)?uploaded=1#media")
    }

    func archive(id: String, staff: StaffSessionContext) async throws -> Response {
        let products = services.products
        do {
            _ = try await services.database.transaction { db in try await products.archive(id: id, on: db) }
        } catch let error as AtelierError where error.status < 500 {
            return try await editor(id: id, staff: staff, message: ConsolePage.explain(error), status: HTTPResponse.Status(code: error.status))
        }
        return ConsolePage.redirect(to: "/console/products/\(id)?archived=1")
    }

    /// Deletes a product nothing names; otherwise the page says what uses it (and offers archiving).
    func delete(id: String, form: ConsoleForm, staff: StaffSessionContext) async throws -> Response {
        let products = services.products
        guard form.text("confirm") == "on" else {
            return try await editor(id: id, staff: staff, message: "Tick the box to confirm the deletion.", status: .unprocessableContent)
        }
        do {
            try await services.database.transaction { db in try await products.delete(id: id, on: db) }
        } catch let error as AtelierError where error.status < 500 {
            let reason = error.code == .productInUse
                ? "The product was not deleted: " + Self.usage(error) + " Archive it instead to take it out of the shop."
                : ConsolePage.explain(error)
            return try await editor(id: id, staff: staff, message: reason, status: HTTPResponse.Status(code: error.status))
        }
        return ConsolePage.redirect(to: "/console/products?deleted=\(id)")
    }

    /// What keeps a product, in words: "3 orders, 1 cart use it."
    static func usage(_ error: AtelierError) -> String {
        let members = error.members
        let parts = [("orders", "order"), ("checkouts", "checkout"), ("carts", "cart")].compactMap { key, noun -> String? in
            guard let count = members[key].flatMap({ Int($0) }), count > 0 else { return nil }
            return "\(count) \(noun)\(count == 1 ? "" : "s")"
        }
        let total = [members["orders"], members["checkouts"], members["carts"]].compactMap { $0.flatMap { Int($0) } }.reduce(0, +)
        return parts.isEmpty ? error.detail : parts.joined(separator: ", ") + (total == 1 ? " uses it." : " use it.")
    }

    /// An image this server serves (a catalog upload or a demo picture): the console's pages may show only these.
    static func isOwnImage(_ url: String) -> Bool { url.hasPrefix("/assets/") || url.hasPrefix("/demo/") }
}
