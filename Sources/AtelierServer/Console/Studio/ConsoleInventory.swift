import Atelier
import Foundation
import HTTPTypes
import Hummingbird

/// A product's stock: each variant it offers and each component of its current template, tracked (counted, sold
/// out at zero) or made to order; on hand, reserved by open checkouts, available. Saved all at once through
/// `InventoryStore.apply`, whose errors point at `/items/<row>` — the rows of this form.
struct ConsoleInventory: Sendable {
    let services: AppServices
    let page: ConsolePage

    /// More variants than this are not listed one by one (the API sets any of them).
    static let maxRows = 300

    private struct Row {
        var target: InventoryItem.Target
        var label: String
    }

    private func rows(of product: Product, template: TemplateDefinition?) -> [Row] {
        var rows: [Row] = []
        let definition = product.definition
        if !definition.dimensions.isEmpty, let selections = definition.offeredSelections(limit: Self.maxRows) {
            for selection in selections {
                let label = definition.dimensions.compactMap { dimension in
                    selection[dimension.code].map { code in "\(dimension.name): \(dimension.value(code)?.name ?? code)" }
                }.joined(separator: ", ")
                rows.append(Row(target: .variant(selection), label: label))
            }
        }
        for zone in template?.zones ?? [] {
            for item in zone.components?.items ?? [] {
                rows.append(Row(target: .component(item.code), label: "Component \(item.name) (\(zone.name))"))
            }
        }
        return rows
    }

    func page(id: String, staff: StaffSessionContext, notice: String? = nil, errors: [AtelierError.FieldError] = [],
              typed: [Int: (tracked: Bool, onHand: String)] = [:], status: HTTPResponse.Status = .ok) async throws -> Response {
        let (products, templates, inventory) = (services.products, services.templates, services.inventory)
        let found = try await services.database.withConnection { db -> (Product, TemplateVersion?, [InventoryItem])? in
            guard let product = try await products.find(id, on: db), product.id == id else { return nil }
            return (product, try await templates.current(for: product, on: db), try await inventory.items(productId: id, on: db))
        }
        guard let (product, template, items) = found else {
            return page.error(.notFound, heading: "No such product", message: "There is no product \(id).", staff: staff)
        }
        let editable = ConsolePage.editsCatalog(staff.account.role)
        let listed = rows(of: product, template: template?.definition)
        var byPointer: [String: String] = [:]
        for error in errors {
            let parts = error.pointer.split(separator: "/")
            let key = parts.count >= 2 ? "/\(parts[0])/\(parts[1])" : error.pointer
            byPointer[key] = [byPointer[key], error.message].compactMap { $0 }.joined(separator: " ")
        }
        let values: [[String: Any]] = listed.enumerated().map { index, row in
            let item = items.first { $0.target == row.target }
            let entered = typed[index]
            let tracked = FormField(pointer: "/items/\(index)/tracked", label: "Track stock of \(row.label)", value: "", kind: .checkbox,
                                    checked: entered?.tracked ?? (item != nil), hideLabel: true, readOnly: !editable)
            var onHand = FormField(pointer: "/items/\(index)/onHand", label: "On hand: \(row.label)",
                                   value: entered?.onHand ?? item.map { String($0.onHand) } ?? "0", kind: .number, hideLabel: true, readOnly: !editable)
            onHand.error = byPointer["/items/\(index)"]
            return ["label": row.label, "key": Self.encode(row.target), "index": index, "tracked": tracked.values, "onHand": onHand.values,
                    "reserved": item.map { String($0.reserved) } ?? "—", "available": item.map { String($0.available) } ?? "made to order"]
        }
        let tooMany = !product.definition.dimensions.isEmpty && product.definition.offeredSelections(limit: Self.maxRows) == nil
        return page.render("inventory", title: "Stock: \(product.definition.name)", status: status, staff: staff, values: [
            "product": ["id": product.id, "name": product.definition.name], "rows": values, "hasRows": !values.isEmpty,
            "editable": editable, "notice": notice as Any, "tooMany": tooMany, "hasErrors": !errors.isEmpty,
        ])
    }

    func save(id: String, form: ConsoleForm, staff: StaffSessionContext) async throws -> Response {
        let (products, templates, inventory) = (services.products, services.templates, services.inventory)
        var settings: [InventoryStore.Setting] = []
        var typed: [Int: (tracked: Bool, onHand: String)] = [:]
        var problems: [AtelierError.FieldError] = []
        var index = 0
        while let key = form.text("/items/\(index)/key"), index < 10_000 {
            let tracked = form["/items/\(index)/tracked"] == "on"
            let text = form.text("/items/\(index)/onHand") ?? "0"
            typed[index] = (tracked, text)
            if let target = Self.decode(key) {
                if let count = Int(text) {
                    settings.append(.init(target: target, tracked: tracked, onHand: count))
                } else {
                    problems.append(.init(pointer: "/items/\(index)/onHand", code: .notAnInteger, message: "must be a whole number."))
                    settings.append(.init(target: target, tracked: tracked, onHand: 0))
                }
            }
            index += 1
        }
        do {
            try AtelierError.check(problems)
            let requested = settings
            _ = try await services.database.transaction { db in
                guard let product = try await products.find(id, on: db), product.id == id else { throw AtelierError.notFound("Product '\(id)'") }
                let template = try await templates.current(for: product, on: db)
                return try await inventory.apply(requested, to: product, template: template?.definition, on: db)
            }
        } catch let error as AtelierError where error.status < 500 {
            return try await page(id: id, staff: staff, errors: error.errors.isEmpty ? [.init(pointer: "", code: error.code, message: error.detail)] : error.errors,
                                  typed: typed, status: HTTPResponse.Status(code: error.status))
        }
        return ConsolePage.redirect(to: "/console/products/\(id)/inventory?saved=1")
    }

    /// A row's target in a hidden field: `component:<code>` or `variant:` and `dimension=value` pairs joined by `&`.
    static func encode(_ target: InventoryItem.Target) -> String {
        switch target {
        case .component(let code): "component:" + code
        case .variant(let selection):
            "variant:" + selection.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
        }
    }

    static func decode(_ key: String) -> InventoryItem.Target? {
        if key.hasPrefix("component:") { return .component(String(key.dropFirst("component:".count))) }
        guard key.hasPrefix("variant:") else { return nil }
        var selection: [String: String] = [:]
        for pair in key.dropFirst("variant:".count).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { return nil }
            selection[String(parts[0])] = String(parts[1])
        }
        return selection.isEmpty ? nil : .variant(selection)
    }
}
