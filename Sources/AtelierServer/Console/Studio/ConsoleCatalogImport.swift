import AtelierAPI
import Atelier
import Foundation
import HTTPTypes
import Hummingbird

/// The bulk import: a CSV or JSON file of products (the admin API's `bulkUploadProducts` formats), applied all
/// or nothing, with every row's errors listed by row.
struct ConsoleCatalogImport: Sendable {
    let services: AppServices
    let page: ConsolePage

    func page(staff: StaffSessionContext, rows: [[String: Any]] = [], message: String? = nil, outcome: [String: Any]? = nil,
              status: HTTPResponse.Status = .ok) -> Response {
        page.render("import", title: "Import products", status: status, staff: staff, values: [
            "rows": rows, "hasRows": !rows.isEmpty, "message": message as Any, "outcome": outcome as Any,
        ])
    }

    func upload(form: ConsoleForm, staff: StaffSessionContext) async throws -> Response {
        guard let file = form.file("file") else {
            return page(staff: staff, message: "Choose a CSV or JSON file.", status: .unprocessableContent)
        }
        guard file.bytes.count <= services.configuration.server.maxBodyBytes else {
            return page(staff: staff, message: "The file is larger than \(services.configuration.server.maxBodyBytes) bytes.", status: .contentTooLarge)
        }
        guard let text = String(bytes: file.bytes, encoding: .utf8) else {
            return page(staff: staff, message: "The file is not UTF-8 text.", status: .unprocessableContent)
        }
        let currency = services.configuration.catalog.shopCurrency
        let isJSON = file.filename.lowercased().hasSuffix(".json") || text.drop { $0.isWhitespace }.first == "{"
        do {
            let items: [CatalogImport.Item]
            let pointer: @Sendable (Int) -> String
            if isJSON {
                let upload: Components.Schemas.BulkUpload
                do {
                    upload = try JSONDecoder().decode(Components.Schemas.BulkUpload.self, from: Data(text.utf8))
                } catch {
                    throw AtelierError.validation([ConsoleTemplateEditor.problem(error)])
                }
                var money = MoneyReader(currency: currency)
                items = upload.products.enumerated().map { index, entry in
                    CatalogImport.Item(definition: ProductDefinition(entry.product, money: &money, at: "/products/\(index)"),
                                       template: entry.template.map { TemplateDefinition($0, money: &money, at: "/products/\(index)/template") })
                }
                try AtelierError.check(money.mismatches)
                pointer = { "/products/\($0)" }
            } else {
                let parsed = try CatalogCSV.parse(text, currency: currency)
                items = parsed.items
                let lines = parsed.firstRows
                pointer = { "/rows/\(lines[$0])" }
            }
            let importer = services.catalogImport
            let actor = staff.account.id
            let outcome = try await services.database.transaction { db in
                try await importer.apply(items, pointerForItem: pointer, by: actor, on: db)
            }
            return page(staff: staff, outcome: [
                "created": outcome.created.map { ["id": $0.id, "name": $0.definition.name] },
                "updated": outcome.updated.map { ["id": $0.id, "name": $0.definition.name] },
                "templates": outcome.templatesPublished, "createdCount": outcome.created.count, "updatedCount": outcome.updated.count,
            ])
        } catch let error as AtelierError where error.status < 500 {
            // Every error by its row (or product), in order.
            let grouped = Dictionary(grouping: error.errors) { problem -> String in
                let parts = problem.pointer.split(separator: "/")
                return parts.count >= 2 ? "/\(parts[0])/\(parts[1])" : problem.pointer
            }
            let rows: [[String: Any]] = grouped.keys.sorted { Self.order($0) < Self.order($1) }.map { key in
                ["row": Self.name(key), "errors": grouped[key]!.map { "\($0.pointer): \($0.message)" }]
            }
            return page(staff: staff, rows: rows, message: "Nothing was imported: " + (error.errors.isEmpty ? error.detail
                        : "\(error.errors.count) problem(s) in \(rows.count) row(s)."), status: HTTPResponse.Status(code: error.status))
        }
    }

    private static func order(_ key: String) -> (String, Int) {
        let parts = key.split(separator: "/")
        return (parts.first.map(String.init) ?? "", parts.count > 1 ? Int(parts[1]) ?? 0 : -1)
    }

    /// `/rows/3` → "Row 3", `/products/0` → "Product 1".
    private static func name(_ key: String) -> String {
        let parts = key.split(separator: "/")
        guard parts.count == 2, let number = Int(parts[1]) else { return key.isEmpty ? "The file" : key }
        return parts[0] == "rows" ? "Row \(number)" : "Product \(number + 1)"
    }
}
