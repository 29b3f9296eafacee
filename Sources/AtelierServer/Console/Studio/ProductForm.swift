import Atelier
import Foundation

/// The product editor's form: a product definition as inputs named by JSON pointers, and back. Rows left blank
/// (a spare dimension, value, option set, option, exclusion) are dropped and the rest numbered again, so the
/// pointers of the definition that is checked are the names of the inputs shown with its errors. What could not be
/// read (a price that is not an amount) is kept as typed and reported at its input.
struct ProductForm {
    var definition: ProductDefinition
    /// Input text that did not become part of `definition`, by pointer, shown again as typed.
    var typed: [String: String] = [:]
    /// Problems found reading the form, before the domain looks at the definition.
    var problems: [AtelierError.FieldError] = []

    /// Spare rows offered for new entries.
    static let spareValues = 2, spareOptions = 2, spareExclusions = 2

    init(definition: ProductDefinition) {
        self.definition = definition
    }

    // MARK: - Reading

    /// The definition a posted form describes; `existing` keeps what the form does not edit (explicit variants).
    init(form: ConsoleForm, currency: String, existing: ProductDefinition?) {
        var reader = Reader(form: form, currency: currency)
        let definition = reader.read(existing: existing)
        self.definition = definition
        typed = reader.typed
        problems = reader.problems
    }

    private struct Reader {
        let form: ConsoleForm
        let currency: String
        var typed: [String: String] = [:]
        var problems: [AtelierError.FieldError] = []

        init(form: ConsoleForm, currency: String) {
            self.form = form
            self.currency = currency
        }

        func text(_ pointer: String) -> String { form.text(pointer) ?? "" }

        /// The row numbers sent under `prefix` (`/dimensions/3/code` → 3 for `/dimensions`), in order.
        func rows(_ prefix: String) -> [Int] {
            var found = Set<Int>()
            for (name, _) in form.ordered where name.hasPrefix(prefix + "/") {
                let rest = name.dropFirst(prefix.count + 1)
                if let index = Int(rest.prefix { $0 != "/" }), index >= 0, index < 1000 { found.insert(index) }
            }
            return found.sorted()
        }

        mutating func integer(_ from: String, to: String, default value: Int) -> Int {
            let text = text(from)
            guard !text.isEmpty else { return value }
            guard let number = Int(text) else {
                typed[to] = text
                problems.append(.init(pointer: to, code: .notAnInteger, message: "must be a whole number."))
                return value
            }
            return number
        }

        mutating func amount(_ from: String, to: String) -> Int64 {
            let text = text(from)
            guard !text.isEmpty else { return 0 }
            guard let minor = CurrencyUnits.minorUnits(text, currency: currency) else {
                typed[to] = text
                problems.append(.init(pointer: to, code: .invalidValue,
                                      message: "must be an amount in \(currency) such as \(CurrencyUnits.decimalString(1250, currency: currency))."))
                return 0
            }
            return minor
        }

        mutating func read(existing: ProductDefinition?) -> ProductDefinition {
            var definition = ProductDefinition(
                slug: text("/slug"), name: text("/name"), description: form["/description"] ?? "",
                category: form.text("/category"), basePrice: amount("/basePrice", to: "/basePrice"), currency: currency,
                baseLeadTimeDays: integer("/baseLeadTimeDays", to: "/baseLeadTimeDays", default: 0),
                active: form["/active"] == "on")
            definition.weightGrams = form.text("/weightGrams") == nil ? nil : integer("/weightGrams", to: "/weightGrams", default: 0)
            definition.variants = existing?.variants

            // Media, in the order of their positions; removed ones left out.
            var media: [(position: Int, row: Int, item: ProductDefinition.Media)] = []
            for row in rows("/media") {
                let at = "/media/\(row)"
                guard form["\(at)/remove"] != "on", !text("\(at)/url").isEmpty else { continue }
                let position = Int(text("\(at)/position")) ?? row + 1
                media.append((position, row, .init(url: text("\(at)/url"), altText: text("\(at)/altText"), view: form.text("\(at)/view"))))
            }
            definition.media = media.sorted { ($0.position, $0.row) < ($1.position, $1.row) }.map(\.item)

            for row in rows("/dimensions") {
                let from = "/dimensions/\(row)"
                let to = "/dimensions/\(definition.dimensions.count)"
                var values: [ProductDefinition.Value] = []
                for valueRow in rows("\(from)/values") {
                    let source = "\(from)/values/\(valueRow)"
                    guard !text("\(source)/code").isEmpty || !text("\(source)/name").isEmpty else { continue }
                    let target = "\(to)/values/\(values.count)"
                    values.append(.init(
                        code: text("\(source)/code"), name: text("\(source)/name"),
                        priceAdjustment: amount("\(source)/priceAdjustment", to: "\(target)/priceAdjustment"),
                        leadTimeDays: integer("\(source)/leadTimeDays", to: "\(target)/leadTimeDays", default: 0),
                        skuFragment: form.text("\(source)/skuFragment"), active: form["\(source)/active"] == "on"))
                }
                guard !text("\(from)/code").isEmpty || !text("\(from)/name").isEmpty || !values.isEmpty else { continue }
                definition.dimensions.append(.init(code: text("\(from)/code"), name: text("\(from)/name"), values: values))
            }

            // An exclusion is written `dimension=value, dimension=value`.
            for row in rows("/exclusions") {
                let from = "/exclusions/\(row)"
                let line = text(from)
                guard !line.isEmpty else { continue }
                var rule: [String: String] = [:]
                var readable = true
                for pair in line.split(separator: ",") {
                    let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                    guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { readable = false; break }
                    rule[parts[0]] = parts[1]
                }
                let to = "/exclusions/\(definition.exclusions.count)"
                if !readable {
                    typed[to] = line
                    problems.append(.init(pointer: to, code: .invalidValue, message: "write it as dimension=value, dimension=value."))
                }
                definition.exclusions.append(readable ? rule : [:])
            }

            for row in rows("/optionSets") {
                let from = "/optionSets/\(row)"
                let to = "/optionSets/\(definition.optionSets.count)"
                var options: [ProductDefinition.Option] = []
                for optionRow in rows("\(from)/options") {
                    let source = "\(from)/options/\(optionRow)"
                    guard !text("\(source)/code").isEmpty || !text("\(source)/name").isEmpty else { continue }
                    let target = "\(to)/options/\(options.count)"
                    options.append(.init(code: text("\(source)/code"), name: text("\(source)/name"),
                                         surcharge: amount("\(source)/surcharge", to: "\(target)/surcharge"),
                                         active: form["\(source)/active"] == "on"))
                }
                guard !text("\(from)/code").isEmpty || !text("\(from)/name").isEmpty || !options.isEmpty else { continue }
                definition.optionSets.append(.init(
                    code: text("\(from)/code"), name: text("\(from)/name"),
                    minSelect: integer("\(from)/minSelect", to: "\(to)/minSelect", default: 0),
                    maxSelect: integer("\(from)/maxSelect", to: "\(to)/maxSelect", default: 1), options: options))
            }
            return definition
        }
    }

    // MARK: - Showing

    /// The form's sections for the `product` template, with every error placed at its input (or, when no input
    /// holds its pointer, at the nearest one above it, else in `unplaced`).
    func view(categories: [Category], errors: [AtelierError.FieldError], readOnly: Bool) -> (sections: [String: Any], unplaced: [String]) {
        let d = definition
        let currency = d.currency
        var fields: [FormField] = []
        func add(_ field: FormField) -> Int {
            var field = field
            field.readOnly = readOnly
            if let typed = typed[field.pointer] { field.value = typed }
            fields.append(field)
            return fields.count - 1
        }
        func money(_ amount: Int64) -> String { CurrencyUnits.decimalString(amount, currency: currency) }

        let general = [
            add(.init(pointer: "/name", label: "Name", value: d.name, required: true)),
            add(.init(pointer: "/slug", label: "Slug (the address name)", value: d.slug, required: true)),
            add(.init(pointer: "/description", label: "Description", value: d.description, kind: .textarea)),
            add(.init(pointer: "/category", label: "Category", value: d.category ?? "", kind: .select,
                      choices: [("", "No category")] + categories.map { ($0.slug, $0.name) })),
            add(.init(pointer: "/basePrice", label: "Base price (\(currency))", value: money(d.basePrice), kind: .number)),
            add(.init(pointer: "/baseLeadTimeDays", label: "Base lead time (days)", value: String(d.baseLeadTimeDays), kind: .number)),
            add(.init(pointer: "/weightGrams", label: "Weight of one unit (grams)", value: d.weightGrams.map(String.init) ?? "", kind: .number)),
            add(.init(pointer: "/active", label: "Active (offered in the shop)", value: "", kind: .checkbox, checked: d.active)),
        ]

        var media: [[String: Any]] = []
        for (index, item) in d.media.enumerated() {
            let at = "/media/\(index)"
            let image = item.url.hasPrefix("/assets/") || item.url.hasPrefix("/demo/")
            media.append([
                "index": index + 1, "url": item.url, "image": image, "alt": item.altText,
                "urlField": add(.init(pointer: "\(at)/url", label: "Address of image \(index + 1)", value: item.url)),
                "altField": add(.init(pointer: "\(at)/altText", label: "Alt text of image \(index + 1)", value: item.altText)),
                "viewField": add(.init(pointer: "\(at)/view", label: "View of image \(index + 1)", value: item.view ?? "")),
                "positionField": add(.init(pointer: "\(at)/position", label: "Position of image \(index + 1)", value: String(index + 1), kind: .number)),
                "removeField": add(.init(pointer: "\(at)/remove", label: "Remove image \(index + 1)", value: "", kind: .checkbox)),
            ])
        }

        var dimensions: [[String: Any]] = []
        for index in 0...d.dimensions.count {
            let dimension = index < d.dimensions.count ? d.dimensions[index] : nil
            let at = "/dimensions/\(index)"
            let title = dimension.map { "dimension \($0.name.isEmpty ? $0.code : $0.name)" } ?? "the new dimension"
            var values: [[String: Any]] = []
            let existing = dimension?.values ?? []
            for v in 0..<(existing.count + Self.spareValues) {
                let value = v < existing.count ? existing[v] : nil
                let vat = "\(at)/values/\(v)"
                let row = "value \(v + 1) of \(title)"
                values.append([
                    "code": add(.init(pointer: "\(vat)/code", label: "Code of \(row)", value: value?.code ?? "", hideLabel: true)),
                    "name": add(.init(pointer: "\(vat)/name", label: "Name of \(row)", value: value?.name ?? "", hideLabel: true)),
                    "priceAdjustment": add(.init(pointer: "\(vat)/priceAdjustment", label: "Price adjustment of \(row)",
                                                 value: value.map { money($0.priceAdjustment) } ?? "", kind: .number, hideLabel: true)),
                    "leadTimeDays": add(.init(pointer: "\(vat)/leadTimeDays", label: "Extra lead days of \(row)",
                                              value: value.map { String($0.leadTimeDays) } ?? "", kind: .number, hideLabel: true)),
                    "skuFragment": add(.init(pointer: "\(vat)/skuFragment", label: "SKU fragment of \(row)", value: value?.skuFragment ?? "", hideLabel: true)),
                    "active": add(.init(pointer: "\(vat)/active", label: "Active: \(row)", value: "", kind: .checkbox,
                                        checked: value?.active ?? true, hideLabel: true)),
                ])
            }
            dimensions.append([
                "legend": dimension.map { "Dimension \(index + 1): \($0.name)" } ?? "New dimension",
                "code": add(.init(pointer: "\(at)/code", label: "Code of \(title)", value: dimension?.code ?? "")),
                "name": add(.init(pointer: "\(at)/name", label: "Name of \(title)", value: dimension?.name ?? "")),
                "values": values,
            ])
        }

        var exclusions: [[String: Any]] = []
        for index in 0..<(d.exclusions.count + Self.spareExclusions) {
            let rule = index < d.exclusions.count ? d.exclusions[index] : [:]
            let text = rule.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
            exclusions.append(["field": add(.init(pointer: "/exclusions/\(index)", label: "Exclusion \(index + 1)", value: text))])
        }

        var optionSets: [[String: Any]] = []
        for index in 0...d.optionSets.count {
            let set = index < d.optionSets.count ? d.optionSets[index] : nil
            let at = "/optionSets/\(index)"
            let title = set.map { "option set \($0.name.isEmpty ? $0.code : $0.name)" } ?? "the new option set"
            var options: [[String: Any]] = []
            let existing = set?.options ?? []
            for o in 0..<(existing.count + Self.spareOptions) {
                let option = o < existing.count ? existing[o] : nil
                let oat = "\(at)/options/\(o)"
                let row = "option \(o + 1) of \(title)"
                options.append([
                    "code": add(.init(pointer: "\(oat)/code", label: "Code of \(row)", value: option?.code ?? "", hideLabel: true)),
                    "name": add(.init(pointer: "\(oat)/name", label: "Name of \(row)", value: option?.name ?? "", hideLabel: true)),
                    "surcharge": add(.init(pointer: "\(oat)/surcharge", label: "Surcharge of \(row)",
                                           value: option.map { money($0.surcharge) } ?? "", kind: .number, hideLabel: true)),
                    "active": add(.init(pointer: "\(oat)/active", label: "Active: \(row)", value: "", kind: .checkbox,
                                        checked: option?.active ?? true, hideLabel: true)),
                ])
            }
            optionSets.append([
                "legend": set.map { "Option set \(index + 1): \($0.name)" } ?? "New option set",
                "code": add(.init(pointer: "\(at)/code", label: "Code of \(title)", value: set?.code ?? "")),
                "name": add(.init(pointer: "\(at)/name", label: "Name of \(title)", value: set?.name ?? "")),
                "minSelect": add(.init(pointer: "\(at)/minSelect", label: "Least choices in \(title)", value: String(set?.minSelect ?? 0), kind: .number)),
                "maxSelect": add(.init(pointer: "\(at)/maxSelect", label: "Most choices in \(title)", value: String(set?.maxSelect ?? 1), kind: .number)),
                "options": options,
            ])
        }

        // Each error at the input named by its pointer, or the nearest input above it.
        var unplaced: [String] = []
        let byPointer = Dictionary(fields.enumerated().map { ($0.element.pointer, $0.offset) }, uniquingKeysWith: { first, _ in first })
        for error in errors + problems {
            var pointer = error.pointer
            var target: Int?
            while target == nil, !pointer.isEmpty {
                target = byPointer[pointer]
                if target == nil { pointer = String(pointer[..<(pointer.lastIndex(of: "/") ?? pointer.startIndex)]) }
            }
            if let target {
                let message = error.message.prefix(1).uppercased() + error.message.dropFirst()
                fields[target].error = fields[target].error.map { "\($0) \(message)" } ?? message
            } else {
                unplaced.append("\(error.pointer.isEmpty ? "The product" : error.pointer): \(error.message)")
            }
        }

        // Rows hold field numbers until here: now every field is final.
        func resolve(_ value: Any) -> Any {
            if let index = value as? Int, index < fields.count, index >= 0 { return fields[index].values }
            return value
        }
        func resolveRow(_ row: [String: Any]) -> [String: Any] {
            var out: [String: Any] = [:]
            for (key, value) in row {
                if key.hasSuffix("Field") || ["code", "name", "priceAdjustment", "leadTimeDays", "skuFragment", "active", "surcharge",
                                              "minSelect", "maxSelect", "field"].contains(key) {
                    out[key] = resolve(value)
                } else if let nested = value as? [[String: Any]] {
                    out[key] = nested.map(resolveRow)
                } else {
                    out[key] = value
                }
            }
            return out
        }
        let sections: [String: Any] = [
            "general": general.map { fields[$0].values },
            "media": media.map(resolveRow), "hasMedia": !media.isEmpty,
            "dimensions": dimensions.map(resolveRow),
            "exclusions": exclusions.map(resolveRow),
            "optionSets": optionSets.map(resolveRow),
        ]
        return (sections, unplaced)
    }
}
