import AtelierCore
import Foundation

/// The CSV form of a bulk upload: one row per variant value, rows of one product sharing its slug.
///
/// Columns (a header row names them; order is free, unknown columns are an error):
/// `slug, name, description, category, base_price, base_lead_time_days, active, dimension,
/// dimension_name, value, value_name, price_adjustment, value_lead_time_days, sku_fragment,
/// value_active, template_json`.
/// Product columns are read from a product's first row; later rows may leave them empty. A product
/// without variants has one row with an empty `dimension`. `template_json` holds the template as JSON.
/// Money columns are integers in minor units of the shop currency.
public enum CatalogCSV {
    public static let columns = [
        "slug", "name", "description", "category", "base_price", "base_lead_time_days", "active", "dimension",
        "dimension_name", "value", "value_name", "price_adjustment", "value_lead_time_days", "sku_fragment",
        "value_active", "template_json",
    ]
    public static let maxRows = 20_000

    /// Parsed items and, for each item, the 1-based line of its first row (for error pointers).
    public static func parse(_ text: String, currency: String) throws(AtelierError) -> (items: [CatalogImport.Item], firstRows: [Int]) {
        let records: [[String]]
        do {
            records = try CSVReader.records(text)
        } catch {
            throw AtelierError(.unprocessable, code: .malformedCsv, title: "Malformed CSV", detail: error.description)
        }
        guard let header = records.first else {
            throw AtelierError.validation([.init(pointer: "/rows/1", code: .required, message: "the header row is missing.")])
        }
        var problems = ValidationErrors()
        let names = header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        for (index, name) in names.enumerated() where !columns.contains(name) {
            problems.add("/rows/1/\(index)", .unknownColumn, "'\(name)' is not a column (\(columns.joined(separator: ", "))).")
        }
        for required in ["slug", "name", "base_price"] where !names.contains(required) {
            problems.add("/rows/1", .missingColumn, "the column '\(required)' is required.")
        }
        if records.count - 1 > maxRows { problems.add("/rows", .tooMany, "at most \(maxRows) rows.") }
        try problems.check()

        var items: [CatalogImport.Item] = []
        var firstRows: [Int] = []
        var indexOfSlug: [String: Int] = [:]
        for (offset, record) in records.dropFirst().enumerated() {
            let line = offset + 2
            if record.allSatisfy({ $0.isEmpty }) { continue }
            let at = "/rows/\(line)"
            if record.count != names.count {
                problems.add(at, .wrongFieldCount, "has \(record.count) fields; the header has \(names.count).")
                continue
            }
            var row: [String: String] = [:]
            for (name, value) in zip(names, record) { row[name] = value }
            func field(_ name: String) -> String? { row[name].flatMap { $0.isEmpty ? nil : $0 } }
            func integer(_ name: String) -> Int64? {
                guard let raw = field(name) else { return nil }
                guard let value = Int64(raw.trimmingCharacters(in: .whitespaces)) else {
                    problems.add(at + "/" + name, .notAnInteger, "'\(raw)' is not a whole number.")
                    return nil
                }
                return value
            }
            func boolean(_ name: String) -> Bool? {
                guard let raw = field(name)?.lowercased() else { return nil }
                switch raw {
                case "true", "yes", "1": return true
                case "false", "no", "0": return false
                default:
                    problems.add(at + "/" + name, .notABoolean, "'\(raw)' is not true or false.")
                    return nil
                }
            }
            guard let slug = field("slug") else {
                problems.add(at + "/slug", .required, "every row names its product's slug.")
                continue
            }
            let itemIndex: Int
            if let existing = indexOfSlug[slug] {
                itemIndex = existing
            } else {
                let name = field("name") ?? ""
                if field("name") == nil { problems.add(at + "/name", .required, "the first row of a product needs its name.") }
                let price = integer("base_price")
                if field("base_price") == nil { problems.add(at + "/base_price", .required, "the first row of a product needs its price.") }
                var template: TemplateDefinition?
                if let json = field("template_json") {
                    do {
                        template = try JSONDecoder().decode(TemplateDefinition.self, from: Data(json.utf8))
                    } catch {
                        problems.add(at + "/template_json", .invalidTemplate, "template_json is not a template document.")
                    }
                }
                let lead = integer("base_lead_time_days") ?? 0
                let definition = ProductDefinition(
                    slug: slug, name: name, description: field("description") ?? "", category: field("category"),
                    basePrice: price ?? 0, currency: currency,
                    baseLeadTimeDays: Int(clamping: lead), active: boolean("active") ?? true
                )
                items.append(.init(definition: definition, template: template))
                firstRows.append(line)
                itemIndex = items.count - 1
                indexOfSlug[slug] = itemIndex
            }
            guard let dimensionCode = field("dimension") else { continue }
            guard let valueCode = field("value") else {
                problems.add(at + "/value", .required, "a row with a dimension names its value.")
                continue
            }
            let value = ProductDefinition.Value(
                code: valueCode, name: field("value_name") ?? valueCode,
                priceAdjustment: integer("price_adjustment") ?? 0,
                leadTimeDays: Int(clamping: integer("value_lead_time_days") ?? 0),
                skuFragment: field("sku_fragment"), active: boolean("value_active") ?? true
            )
            var definition = items[itemIndex].definition
            if let d = definition.dimensions.firstIndex(where: { $0.code == dimensionCode }) {
                definition.dimensions[d].values.append(value)
            } else {
                definition.dimensions.append(.init(code: dimensionCode, name: field("dimension_name") ?? dimensionCode, values: [value]))
            }
            items[itemIndex].definition = definition
        }
        try problems.check()
        return (items, firstRows)
    }
}
