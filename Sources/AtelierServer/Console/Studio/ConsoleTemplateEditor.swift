import AtelierAPI
import Atelier
import Foundation
import HTTPTypes
import Hummingbird

/// A product's customization template: each view with its zones drawn over its image, the zones and their rules,
/// the next version published from an edited JSON document (the contract's `TemplateInput`; every error shown at
/// its pointer, and at its zone), older versions read-only with the orders made with them, and a "try it" panel
/// that opens a customization session on the published version and shows its checks and preview.
struct ConsoleTemplateEditor: Sendable {
    let services: AppServices
    let page: ConsolePage

    /// A template document is a few kilobytes; the form allows far more.
    static let maxDocumentBytes = 200_000

    struct Draft {
        var text: String
        var definition: TemplateDefinition?
        var errors: [AtelierError.FieldError]
    }

    func page(id: String, version: Int?, staff: StaffSessionContext, draft: Draft? = nil, message: String? = nil, notice: String? = nil,
              status: HTTPResponse.Status = .ok, trySession: String? = nil) async throws -> Response {
        let (products, templates, orders) = (services.products, services.templates, services.orders)
        let found = try await services.database.withConnection { db -> (Product, [TemplateVersion], [OrderStore.TemplateUse])? in
            guard let product = try await products.find(id, on: db), product.id == id else { return nil }
            return (product, try await templates.all(productId: id, on: db), try await orders.templateUse(productId: id, on: db))
        }
        guard let (product, versions, uses) = found else {
            return page.error(.notFound, heading: "No such product", message: "There is no product \(id).", staff: staff)
        }
        let currency = services.configuration.catalog.shopCurrency
        let currentNumber = product.templateVersion
        let shownNumber = version ?? currentNumber
        let shown = versions.first { $0.version == shownNumber }
        if let version, shown == nil {
            return page.error(.notFound, heading: "No such version", message: "\(product.definition.name) has no template version \(version).", staff: staff)
        }
        let isCurrent = version == nil || version == currentNumber
        let editable = ConsolePage.editsCatalog(staff.account.role) && isCurrent
        let definition = draft?.definition ?? shown?.definition
        let errors = draft?.errors ?? []

        // Errors by the zone or view they point into, to show them at their row and rectangle.
        func index(in pointer: String, of list: String) -> Int? {
            let parts = pointer.split(separator: "/")
            guard parts.count >= 2, parts[0] == list else { return nil }
            return Int(parts[1])
        }
        var zoneErrors: [Int: [String]] = [:]
        var viewErrors: [Int: [String]] = [:]
        var otherErrors: [String] = []
        for error in errors {
            if let zone = index(in: error.pointer, of: "zones") {
                zoneErrors[zone, default: []].append("\(error.pointer): \(error.message)")
            } else if let view = index(in: error.pointer, of: "views") {
                viewErrors[view, default: []].append("\(error.pointer): \(error.message)")
            } else {
                otherErrors.append("\(error.pointer.isEmpty ? "The document" : error.pointer): \(error.message)")
            }
        }

        let views: [[String: Any]] = (definition?.views ?? []).enumerated().map { viewIndex, view in
            let zones = (definition?.zones ?? []).enumerated().filter { $0.element.view == view.code }.map { (index: $0.offset, zone: $0.element) }
            return ["code": view.code, "name": view.name, "size": "\(view.width) × \(view.height)",
                    "image": view.imageUrl ?? "no image", "errors": viewErrors[viewIndex] ?? [], "hasErrors": viewErrors[viewIndex] != nil,
                    "overlay": TemplateOverlay.svg(view: view, zones: zones, invalid: Set(zoneErrors.keys))]
        }
        let zones: [[String: Any]] = (definition?.zones ?? []).enumerated().map { index, zone in
            ["index": index, "code": zone.code, "name": zone.name, "kind": zone.kind.rawValue, "view": zone.view,
             "required": zone.required ? "required" : "optional", "surcharge": ConsoleOrders.money(zone.surcharge, currency),
             "geometry": TemplateOverlay.describe(zone), "rules": Self.rules(of: zone),
             "errors": zoneErrors[index] ?? [], "hasErrors": zoneErrors[index] != nil]
        }
        let usesByVersion = Dictionary(grouping: uses, by: \.version)
        let seesOrders = ConsolePage.seesOrders(staff.account.role)
        let versionRows: [[String: Any]] = versions.sorted { $0.version > $1.version }.map { item in
            let orders = usesByVersion[item.version] ?? []
            return ["version": item.version, "published": ConsoleOrders(services: services, page: page).time(item.createdAt),
                    "current": item.version == currentNumber, "shown": item.version == shownNumber,
                    "orderCount": orders.count, "hasOrders": !orders.isEmpty, "orders": orders.prefix(20).map { ["id": $0.orderId, "number": $0.number] },
                    "seesOrders": seesOrders, "moreOrders": orders.count > 20]
        }
        let document = draft?.text ?? definition.map { Self.document($0, currency: currency) } ?? Self.starter
        var values: [String: Any] = [
            "product": ["id": product.id, "name": product.definition.name],
            "views": views, "zones": zones, "hasZones": !zones.isEmpty, "versions": versionRows, "hasVersions": !versionRows.isEmpty,
            "shownVersion": shownNumber.map { "version \($0)" } ?? "no version yet", "isCurrent": isCurrent,
            "nextVersion": (currentNumber ?? 0) + 1, "editable": editable, "document": document,
            "draft": draft != nil, "errors": otherErrors, "errorCount": errors.count, "hasErrors": !errors.isEmpty,
            "message": message as Any, "notice": notice as Any, "currentNumber": currentNumber as Any,
            // The product's own images, whose addresses a view's imageUrl may take.
            "images": product.definition.media.filter { ConsoleProducts.isOwnImage($0.url) }.map { ["url": $0.url, "alt": $0.altText] },
            "hasImages": product.definition.media.contains { ConsoleProducts.isOwnImage($0.url) },
        ]
        if isCurrent, ConsolePage.editsCatalog(staff.account.role), let current = versions.first(where: { $0.version == currentNumber }) {
            values["try"] = tryPanel(product: product, template: current.definition)
        }
        if let trySession {
            values["session"] = try await sessionView(trySession, currency: currency) as Any
        }
        let title = "Template: \(product.definition.name)"
        return page.render("template", title: title, status: status, staff: staff, values: values)
    }

    /// A zone's rules in a line: what a shopper may put there.
    static func rules(of zone: TemplateDefinition.Zone) -> String {
        if let text = zone.text {
            return "\(text.minLength)–\(text.maxLength) characters, \(text.maxLines) line(s), \(text.charset.rawValue); fonts \(text.fonts.joined(separator: ", "))"
        }
        if let image = zone.image {
            return "\(image.allowedTypes.joined(separator: ", ")); \(image.minWidth)×\(image.minHeight) to \(image.maxWidth)×\(image.maxHeight) px; at most \(image.maxBytes) bytes"
        }
        if let colour = zone.colour { return "\(colour.palette.count) swatch(es)" }
        if let components = zone.components { return "\(components.min)–\(components.max) of \(components.items.count) component(s)" }
        return ""
    }

    static let starter = """
        {
          "views": [{ "code": "front", "name": "Front", "width": 1000, "height": 1000 }],
          "zones": []
        }
        """

    /// A version as the JSON document the API's `publishTemplate` takes.
    static func document(_ definition: TemplateDefinition, currency: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let input = Components.Schemas.TemplateInput(definition, currency: currency)
        return (try? encoder.encode(input)).flatMap { String(data: $0, encoding: .utf8) } ?? "{}"
    }

    func publish(id: String, form: ConsoleForm, staff: StaffSessionContext) async throws -> Response {
        let text = form["document"] ?? ""
        let currency = services.configuration.catalog.shopCurrency
        guard text.utf8.count <= Self.maxDocumentBytes else {
            return try await page(id: id, version: nil, staff: staff, draft: Draft(text: "", definition: nil, errors: [
                .init(pointer: "", code: .invalidBody, message: "the document is larger than \(Self.maxDocumentBytes) bytes.")]),
                status: .contentTooLarge)
        }
        let input: Components.Schemas.TemplateInput
        do {
            input = try JSONDecoder().decode(Components.Schemas.TemplateInput.self, from: Data(text.utf8))
        } catch {
            return try await page(id: id, version: nil, staff: staff,
                                  draft: Draft(text: text, definition: nil, errors: [Self.problem(error)]), status: .unprocessableContent)
        }
        var money = MoneyReader(currency: currency)
        let definition = TemplateDefinition(input, money: &money)
        let problems = money.mismatches + definition.problems()
        guard problems.isEmpty else {
            return try await page(id: id, version: nil, staff: staff, draft: Draft(text: text, definition: definition, errors: problems),
                                  status: .unprocessableContent)
        }
        let (templates, products) = (services.templates, services.products)
        do {
            _ = try await services.database.transaction { db in
                guard try await products.find(id, on: db)?.id == id else { throw AtelierError.notFound("Product '\(id)'") }
                return try await templates.publish(definition, productId: id, by: staff.account.id, on: db)
            }
        } catch let error as AtelierError where error.status < 500 {
            return try await page(id: id, version: nil, staff: staff,
                                  draft: Draft(text: text, definition: definition, errors: error.errors.isEmpty
                                    ? [.init(pointer: "", code: error.code, message: error.detail)] : error.errors),
                                  status: HTTPResponse.Status(code: error.status))
        }
        return ConsolePage.redirect(to: "/console/products/\(id)/template?published=1")
    }

    /// A JSON decoding failure at its pointer.
    static func problem(_ error: any Error) -> AtelierError.FieldError {
        func pointer(_ path: [any CodingKey]) -> String {
            path.map { key in "/" + (key.intValue.map(String.init) ?? key.stringValue) }.joined()
        }
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return .init(pointer: pointer(context.codingPath + [key]), code: .missingValue, message: "is missing.")
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return .init(pointer: pointer(context.codingPath), code: .invalidValue, message: "has the wrong type.")
        case DecodingError.dataCorrupted(let context) where !context.codingPath.isEmpty:
            return .init(pointer: pointer(context.codingPath), code: .invalidValue, message: "is not an allowed value.")
        default:
            return .init(pointer: "", code: .malformedJson, message: "is not valid JSON.")
        }
    }

    // MARK: - Try it

    private func tryPanel(product: Product, template: TemplateDefinition) -> [String: Any] {
        let dimensions: [[String: Any]] = product.definition.dimensions.map { dimension in
            ["code": dimension.code, "name": dimension.name,
             "values": dimension.values.filter(\.active).map { ["code": $0.code, "name": $0.name] }]
        }
        let texts: [[String: Any]] = template.zones.filter { $0.kind == .text }.map { ["code": $0.code, "name": $0.name] }
        let images: [[String: Any]] = template.zones.filter { $0.kind == .image }.map { ["code": $0.code, "name": $0.name] }
        return ["dimensions": dimensions, "texts": texts, "images": images]
    }

    /// Opens a customization session on the published version with the panel's choices (an image uploaded as a
    /// shopper's would be), asks for its preview and shows the session.
    func tryIt(id: String, form: ConsoleForm, staff: StaffSessionContext) async throws -> Response {
        let (products, templates, sessions, assets, jobs, memo) = (services.products, services.templates, services.sessions,
                                                                   services.assets, services.jobs, services.memo)
        let settings = services.configuration
        do {
            let found = try await services.database.withConnection { db -> (Product, TemplateVersion)? in
                guard let product = try await products.find(id, on: db), product.id == id,
                      let template = try await templates.current(for: product, on: db) else { return nil }
                return (product, template)
            }
            guard let (product, template) = found else {
                return try await page(id: id, version: nil, staff: staff, message: "Publish a template version first.", status: .unprocessableContent)
            }
            var state = CustomizationState(selection: [:], options: [:], zones: [:])
            for dimension in product.definition.dimensions {
                if let value = form.text("selection/\(dimension.code)") { state.selection[dimension.code] = value }
            }
            for zone in template.definition.zones {
                switch zone.kind {
                case .text:
                    if let text = form.text("zone/\(zone.code)/text") {
                        state.zones[zone.code] = .init(text: .init(text: text, font: zone.text?.fonts.first, colour: zone.text?.colours.first))
                    }
                case .image:
                    guard let file = form.file("zone/\(zone.code)/image") else { continue }
                    let staged = try await StagedUpload.stage(bytes: file.bytes, into: settings.server.uploadStagingDirectory,
                                                              maxBytes: settings.assets.maxAssetBytes, identity: assets.identity)
                    defer { staged.discard() }
                    let info = try await assets.verify(staged)
                    let asset = try await services.database.transaction { db in try await assets.save(staged, as: info, on: db) }
                    state.zones[zone.code] = .init(image: asset.id)
                default:
                    continue
                }
            }
            let opened = state
            let session = try await services.database.transaction { db in
                let session = try await sessions.create(productRef: id, state: opened, products: products, memo: memo, on: db)
                // As the API: a preview only of choices that pass every check.
                let (evaluation, _, _) = try await sessions.evaluate(session, products: products, memo: memo, on: db)
                if evaluation.valid { _ = try await PreviewJobs.request(for: session, sessions: sessions, queue: jobs, on: db) }
                return session
            }
            return ConsolePage.redirect(to: "/console/products/\(id)/template?session=\(session.id)#try")
        } catch let error as AtelierError where error.status < 500 {
            return try await page(id: id, version: nil, staff: staff, message: "The session was not opened: \(ConsolePage.explain(error))",
                                  status: HTTPResponse.Status(code: error.status))
        }
    }

    /// A session's checks, price and preview, for the panel.
    private func sessionView(_ id: String, currency: String) async throws -> [String: Any]? {
        struct Seen: Sendable {
            var id: String, valid: Bool, errors: [String], price: String, preview: String?, status: String
        }
        let (sessions, products, memo, jobs) = (services.sessions, services.products, services.memo, services.jobs)
        let seen = try await services.database.withConnection { db -> Seen? in
            guard let session = try? await sessions.find(id: id, on: db) else { return nil }
            let (evaluation, _, _) = try await sessions.evaluate(session, products: products, memo: memo, on: db)
            let job = try await PreviewJobs.current(for: session, queue: jobs, on: db)
            let status = job.map(PreviewJobs.status(of:))
            return Seen(id: session.id, valid: evaluation.valid, errors: evaluation.errors.map { "\($0.pointer): \($0.message)" },
                        price: ConsoleOrders.money(evaluation.unitPrice, evaluation.currency),
                        preview: status == .ready ? job?.result.map { "/assets/\($0)" } : nil, status: status?.rawValue ?? "not asked")
        }
        guard let seen else { return nil }
        return ["id": seen.id, "valid": seen.valid, "errors": seen.errors, "price": seen.price, "preview": seen.preview as Any,
                "previewStatus": seen.status]
    }
}
