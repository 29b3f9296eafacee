import Atelier
import Foundation
import HTTPTypes
import Hummingbird

/// Shipping methods: the list for every role that sees the shop's settings; for admins a new method, a method's
/// edit page (its rates as rows of fields, amounts in the shop's currency) and deleting it. Saved through the
/// admin API's store: what it refuses is shown next to the field its pointer names, with what was typed kept.
struct ConsoleShipping: Sendable {
    let services: AppServices
    let page: ConsolePage

    /// Empty rate rows offered under the filled ones.
    static let spareRows = 2

    private var currency: String { services.configuration.catalog.shopCurrency }

    func list(staff: StaffSessionContext, draft: Draft = Draft(), errors: ConsoleFieldErrors = ConsoleFieldErrors(),
              status: HTTPResponse.Status = .ok) async throws -> Response {
        let store = services.shippingMethods
        let methods = try await services.database.withConnection { db in try await store.all(on: db) }
        let edits = ConsolePage.runsShop(staff.account.role)
        let rows: [[String: Any]] = methods.map { method in
            ["code": method.code, "name": method.name, "description": (method.description.isEmpty ? nil : method.description) as Any,
             "state": method.active ? "active" : "inactive", "position": method.position, "rates": method.rates.map(describe)]
        }
        return page.render("shipping", title: "Shipping methods", status: status, staff: staff, values: [
            "methods": rows, "edits": edits,
            "form": (edits ? draft.values(errors: errors, currency: currency, action: "/console/shipping", isNew: true, readOnly: false) : nil) as Any,
        ])
    }

    func create(_ form: ConsoleForm, staff: StaffSessionContext) async throws -> Response {
        let draft = Draft(form: form)
        let (method, rows, problems) = draft.method(currency: currency)
        guard problems.isEmpty else { return try await list(staff: staff, draft: draft, errors: problems, status: .unprocessableContent) }
        let store = services.shippingMethods
        do {
            _ = try await services.database.transaction { db in try await store.create(method, on: db) }
        } catch let error as AtelierError where error.status < 500 {
            let errors = Self.errors(error, rows: rows)
            return try await list(staff: staff, draft: draft, errors: errors, status: HTTPResponse.Status(code: error.status))
        }
        return ConsolePage.redirect(to: "/console/shipping")
    }

    func edit(code: String, staff: StaffSessionContext, draft: Draft? = nil, errors: ConsoleFieldErrors = ConsoleFieldErrors(),
              status: HTTPResponse.Status = .ok) async throws -> Response {
        let store = services.shippingMethods
        guard let method = try await services.database.withConnection({ db in try await store.find(code: code, on: db) }) else {
            return page.error(.notFound, heading: "No such shipping method", message: "There is no shipping method with that code.", staff: staff)
        }
        let shown = draft ?? Draft(method, currency: currency)
        let edits = ConsolePage.runsShop(staff.account.role)
        return page.render("shipping-method", title: "Shipping method \(method.name)", status: status, staff: staff, values: [
            "methodCode": method.code, "methodName": method.name, "edits": edits,
            "form": shown.values(errors: errors, currency: currency, action: "/console/shipping/\(method.code)", isNew: false, readOnly: !edits),
        ])
    }

    func save(code: String, form: ConsoleForm, staff: StaffSessionContext) async throws -> Response {
        var draft = Draft(form: form)
        draft.code = code
        let (method, rows, problems) = draft.method(currency: currency)
        guard problems.isEmpty else {
            return try await edit(code: code, staff: staff, draft: draft, errors: problems, status: .unprocessableContent)
        }
        let store = services.shippingMethods
        do {
            _ = try await services.database.transaction { db in try await store.replace(code: code, with: method, on: db) }
        } catch let error as AtelierError where error.status < 500 {
            return try await edit(code: code, staff: staff, draft: draft, errors: Self.errors(error, rows: rows),
                                  status: HTTPResponse.Status(code: error.status))
        }
        return ConsolePage.redirect(to: "/console/shipping")
    }

    func delete(code: String, staff: StaffSessionContext) async throws -> Response {
        let store = services.shippingMethods
        do {
            try await services.database.transaction { db in try await store.delete(code: code, on: db) }
        } catch let error as AtelierError where error.status < 500 {
            var errors = ConsoleFieldErrors()
            errors.note(error.detail)
            return try await list(staff: staff, errors: errors, status: HTTPResponse.Status(code: error.status))
        }
        return ConsolePage.redirect(to: "/console/shipping")
    }

    /// The store's refusal by field: `rows[n]` is the form's row of the method's rate `n` (blank rows are left out).
    static func errors(_ error: AtelierError, rows: [Int]) -> ConsoleFieldErrors {
        var errors = ConsoleFieldErrors(error) { fieldId($0, rows: rows) }
        if error.kind == .conflict, error.errors.isEmpty {
            // A code already used: said by the code's field.
            errors = ConsoleFieldErrors()
            errors.add("shipping-code", error.detail)
        }
        return errors
    }

    /// The form's field for a pointer into the method's JSON document.
    static func fieldId(_ pointer: String, rows: [Int]) -> String? {
        let parts = pointer.split(separator: "/").map(String.init)
        guard let first = parts.first else { return nil }
        switch first {
        case "code", "name", "description", "position": return "shipping-" + first
        case "rates":
            guard parts.count > 1, let index = Int(parts[1]), rows.indices.contains(index) else { return "rates" }
            let key: String
            switch parts.count > 2 ? parts[2] : "country" {
            case "region": key = "region"
            case "baseAmount": key = "base"
            case "perItemAmount": key = "per-item"
            case "freeAbove": key = "free-above"
            case "weightBrackets": key = "brackets"
            default: key = "country"
            }
            return "rate-\(rows[index])-\(key)"
        default: return nil
        }
    }

    private func money(_ amount: Int64) -> String { ConsoleOrders.money(amount, currency) }

    /// One rate in words: "US-CA: 4.90 USD + 1.00 USD per item, free from 100.00 USD".
    private func describe(_ rate: ShippingMethod.Rate) -> String {
        var text = rate.country == "*" ? "Everywhere else" : rate.country + (rate.region.map { "-\($0)" } ?? "")
        text += ": " + money(rate.baseAmount)
        if rate.perItemAmount > 0 { text += " + \(money(rate.perItemAmount)) per item" }
        if !rate.weightBrackets.isEmpty {
            text += " + by weight (" + rate.weightBrackets.map { "up to \($0.upToGrams) g: \(money($0.amount))" }.joined(separator: ", ") + ")"
        }
        if let free = rate.freeAbove { text += ", free from \(money(free))" }
        return text
    }

    /// A shipping method as typed in the form: every field as text, so that a refused form shows it again.
    struct Draft {
        static let rateKeys = ["country", "region", "base", "per-item", "free-above", "brackets"]

        var code = ""
        var name = ""
        var description = ""
        var position = "0"
        var active = true
        var rows: [[String: String]] = []

        init() {}

        init(form: ConsoleForm) {
            code = form["shipping-code"] ?? ""
            name = form["shipping-name"] ?? ""
            description = form["shipping-description"] ?? ""
            position = form["shipping-position"] ?? ""
            active = form["shipping-active"] != nil
            let count = min(max(Int(form["rows"] ?? "") ?? 0, 0), ShippingLimits.maxRates + ConsoleShipping.spareRows)
            rows = (0..<count).map { index in
                var row: [String: String] = [:]
                for key in Self.rateKeys { row[key] = form["rate-\(index)-\(key)"] ?? "" }
                return row
            }
        }

        init(_ method: ShippingMethod, currency: String) {
            func decimal(_ amount: Int64) -> String { CurrencyUnits.decimalString(amount, currency: currency) }
            code = method.code
            name = method.name
            description = method.description
            position = String(method.position)
            active = method.active
            rows = method.rates.map { rate in
                ["country": rate.country, "region": rate.region ?? "", "base": decimal(rate.baseAmount),
                 "per-item": rate.perItemAmount == 0 ? "" : decimal(rate.perItemAmount), "free-above": rate.freeAbove.map(decimal) ?? "",
                 "brackets": rate.weightBrackets.map { "\($0.upToGrams):\(decimal($0.amount))" }.joined(separator: ", ")]
            }
        }

        /// The method the form describes, the form's row of each of its rates, and what could not be read (an
        /// amount that is not one), together with the method's own problems.
        func method(currency: String) -> (ShippingMethod, rows: [Int], errors: ConsoleFieldErrors) {
            var errors = ConsoleFieldErrors()
            let example = CurrencyUnits.decimalString(490, currency: currency)
            var rates: [ShippingMethod.Rate] = []
            var rowOfRate: [Int] = []
            for (index, row) in rows.enumerated() {
                let text = { (key: String) -> String in (row[key] ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }
                if Self.rateKeys.allSatisfy({ text($0).isEmpty }) { continue }
                func amount(_ key: String) -> Int64? {
                    guard !text(key).isEmpty else { return nil }
                    guard let units = CurrencyUnits.minorUnits(text(key), currency: currency) else {
                        errors.add("rate-\(index)-\(key)", "must be an amount in \(currency), like \(example).")
                        return nil
                    }
                    return units
                }
                var brackets: [ShippingMethod.WeightBracket] = []
                for piece in text("brackets").split(separator: ",") {
                    let pair = piece.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                    guard pair.count == 2, let grams = Int(pair[0]), let units = CurrencyUnits.minorUnits(pair[1], currency: currency) else {
                        errors.add("rate-\(index)-brackets", "write each bracket as grams:amount, like 500:\(example), 2000:\(example).")
                        brackets = []
                        break
                    }
                    brackets.append(ShippingMethod.WeightBracket(upToGrams: grams, amount: units))
                }
                let region = text("region").uppercased()
                rates.append(ShippingMethod.Rate(country: text("country").uppercased(), region: region.isEmpty ? nil : region,
                                                 baseAmount: amount("base") ?? 0, perItemAmount: amount("per-item") ?? 0,
                                                 weightBrackets: brackets, freeAbove: amount("free-above")))
                rowOfRate.append(index)
            }
            let trimmedPosition = position.trimmingCharacters(in: .whitespaces)
            let order = trimmedPosition.isEmpty ? 0 : Int(trimmedPosition)
            if order == nil { errors.add("shipping-position", "must be a whole number.") }
            let method = ShippingMethod(code: code.trimmingCharacters(in: .whitespaces), name: name.trimmingCharacters(in: .whitespaces),
                                        description: description.trimmingCharacters(in: .whitespacesAndNewlines), active: active,
                                        position: order ?? 0, rates: rates)
            if !errors.isEmpty {
                // What could be read is checked too, so that every problem shows at once.
                for problem in method.problems() {
                    guard let id = ConsoleShipping.fieldId(problem.pointer, rows: rowOfRate), errors.messages[id] == nil else { continue }
                    errors.add(id, problem.message)
                }
            }
            return (method, rowOfRate, errors)
        }

        /// The form's values for the `back-office-shipping-form` partial.
        /// `readOnly`: the method as the roles that may read it but not change it see it (every field disabled).
        func values(errors: ConsoleFieldErrors, currency: String, action: String, isNew: Bool, readOnly: Bool) -> [String: Any] {
            var shown = rows
            let blankAtEnd = shown.reversed().prefix { row in row.values.allSatisfy { $0.trimmingCharacters(in: .whitespaces).isEmpty } }.count
            shown += Array(repeating: [:], count: max(0, ConsoleShipping.spareRows - blankAtEnd))
            let rateRows: [[String: Any]] = shown.enumerated().map { pair -> [String: Any] in
                let (index, row) = pair
                func field(_ key: String, _ label: String, inputMode: String? = nil) -> [String: Any] {
                    errors.field("rate-\(index)-\(key)", label: label, value: row[key] ?? "", inputMode: inputMode)
                }
                return ["number": index + 1, "fields": [
                    field("country", "Country (like US; * for the rest)"),
                    field("region", "Region (optional, like CA)"),
                    field("base", "Base charge (\(currency))", inputMode: "decimal"),
                    field("per-item", "Per item (\(currency), optional)", inputMode: "decimal"),
                    field("free-above", "Free from a subtotal of (\(currency), optional)", inputMode: "decimal"),
                    field("brackets", "Weight brackets (grams:amount, optional)"),
                ]]
            }
            let example = CurrencyUnits.decimalString(490, currency: currency)
            let hint = "Each row is one destination; empty rows are left out. Amounts in \(currency), like \(example). "
                + "A destination pays its region's rate, else its country's, else the * rate. Weight brackets in ascending order, like "
                + "500:\(example), 2000:\(example); a cart heavier than the last bracket cannot use the method."
            let codeField: [String: Any]? = isNew ? errors.field("shipping-code", label: "Code (a–z, 0–9 and _)", value: code, required: true) : nil
            let formId = isNew ? "shipping-create" : (readOnly ? "shipping-view" : "shipping-edit")
            return [
                "action": action, "formId": formId, "readOnly": readOnly,
                "submit": isNew ? "Add the method" : "Save the method",
                "summary": errors.summary as Any,
                "code": codeField as Any,
                "fixedCode": (isNew ? nil : code) as Any,
                "name": errors.field("shipping-name", label: "Name", value: name, required: true),
                "description": errors.field("shipping-description", label: "Description (optional)", value: description, multiline: true),
                "position": errors.field("shipping-position", label: "Position in the list (lowest first)", value: position, inputMode: "numeric"),
                "active": active, "rowCount": shown.count, "rateRows": rateRows, "ratesGroup": errors.group("rates") as Any, "ratesHint": hint,
            ]
        }
    }
}
