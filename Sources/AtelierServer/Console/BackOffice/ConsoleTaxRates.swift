import Atelier
import Foundation
import HTTPTypes
import Hummingbird

/// Tax rates: the list for every role that sees the shop's settings; for admins a new rate, a rate's edit page and
/// deleting it. Saved through the admin API's store: what it refuses is shown next to its field, with what was
/// typed kept.
struct ConsoleTaxRates: Sendable {
    let services: AppServices
    let page: ConsolePage

    func list(staff: StaffSessionContext, draft: Draft = Draft(), errors: ConsoleFieldErrors = ConsoleFieldErrors(),
              status: HTTPResponse.Status = .ok) async throws -> Response {
        let store = services.taxRates
        let rates = try await services.database.withConnection { db in try await store.all(on: db) }
        let edits = ConsolePage.runsShop(staff.account.role)
        let rows: [[String: Any]] = rates.map { rate in
            ["id": rate.id, "name": rate.name, "country": rate.country, "region": rate.region ?? "whole country",
             "rate": TaxRate.percent(fromPpm: rate.ratePpm) + " %", "shipping": rate.appliesToShipping ? "yes" : "no"]
        }
        return page.render("tax", title: "Tax rates", status: status, staff: staff, values: [
            "rates": rows, "edits": edits,
            "form": (edits ? draft.values(errors: errors, action: "/console/tax", isNew: true, readOnly: false) : nil) as Any,
        ])
    }

    func create(_ form: ConsoleForm, staff: StaffSessionContext) async throws -> Response {
        let draft = Draft(form: form)
        let (store, input) = (services.taxRates, draft.input)
        do {
            _ = try await services.database.transaction { db in try await store.create(input, on: db) }
        } catch let error as AtelierError where error.status < 500 {
            return try await list(staff: staff, draft: draft, errors: Self.errors(error), status: HTTPResponse.Status(code: error.status))
        }
        return ConsolePage.redirect(to: "/console/tax")
    }

    func edit(id: String, staff: StaffSessionContext, draft: Draft? = nil, errors: ConsoleFieldErrors = ConsoleFieldErrors(),
              status: HTTPResponse.Status = .ok) async throws -> Response {
        let store = services.taxRates
        guard let rate = try await services.database.withConnection({ db in try await store.find(id: id, on: db) }) else {
            return page.error(.notFound, heading: "No such tax rate", message: "There is no tax rate with that id.", staff: staff)
        }
        let edits = ConsolePage.runsShop(staff.account.role)
        return page.render("tax-rate", title: "Tax rate \(rate.name)", status: status, staff: staff, values: [
            "rateId": rate.id, "rateName": rate.name, "edits": edits,
            "form": (draft ?? Draft(rate)).values(errors: errors, action: "/console/tax/\(rate.id)", isNew: false, readOnly: !edits),
        ])
    }

    func save(id: String, form: ConsoleForm, staff: StaffSessionContext) async throws -> Response {
        let draft = Draft(form: form)
        let (store, input) = (services.taxRates, draft.input)
        do {
            _ = try await services.database.transaction { db in try await store.replace(id: id, with: input, on: db) }
        } catch let error as AtelierError where error.status < 500 {
            return try await edit(id: id, staff: staff, draft: draft, errors: Self.errors(error), status: HTTPResponse.Status(code: error.status))
        }
        return ConsolePage.redirect(to: "/console/tax")
    }

    func delete(id: String, staff: StaffSessionContext) async throws -> Response {
        let store = services.taxRates
        do {
            try await services.database.transaction { db in try await store.delete(id: id, on: db) }
        } catch let error as AtelierError where error.status < 500 {
            var errors = ConsoleFieldErrors()
            errors.note(error.detail)
            return try await list(staff: staff, errors: errors, status: HTTPResponse.Status(code: error.status))
        }
        return ConsolePage.redirect(to: "/console/tax")
    }

    /// The store's refusal by field; a rate that exists already is said by the name's field.
    static func errors(_ error: AtelierError) -> ConsoleFieldErrors {
        guard !(error.kind == .conflict && error.errors.isEmpty) else {
            var errors = ConsoleFieldErrors()
            errors.add("tax-name", error.detail)
            return errors
        }
        return ConsoleFieldErrors(error) { pointer in
            switch pointer {
            case "/name": "tax-name"
            case "/country": "tax-country"
            case "/region": "tax-region"
            case "/rate": "tax-rate"
            default: nil
            }
        }
    }

    /// A tax rate as typed in the form.
    struct Draft {
        var name = ""
        var country = ""
        var region = ""
        var rate = ""
        var appliesToShipping = true

        init() {}

        init(form: ConsoleForm) {
            name = form["tax-name"] ?? ""
            country = form["tax-country"] ?? ""
            region = form["tax-region"] ?? ""
            rate = form["tax-rate"] ?? ""
            appliesToShipping = form["tax-shipping"] != nil
        }

        init(_ rate: TaxRate) {
            name = rate.name
            country = rate.country
            region = rate.region ?? ""
            self.rate = TaxRate.percent(fromPpm: rate.ratePpm)
            appliesToShipping = rate.appliesToShipping
        }

        var input: TaxRateInput {
            let region = self.region.trimmingCharacters(in: .whitespaces).uppercased()
            return TaxRateInput(name: name.trimmingCharacters(in: .whitespaces), country: country.trimmingCharacters(in: .whitespaces).uppercased(),
                                region: region.isEmpty ? nil : region, rate: rate.trimmingCharacters(in: .whitespaces),
                                appliesToShipping: appliesToShipping)
        }

        /// `readOnly`: the rate as the roles that may read it but not change it see it (every field disabled).
        func values(errors: ConsoleFieldErrors, action: String, isNew: Bool, readOnly: Bool) -> [String: Any] {
            let formId = isNew ? "tax-create" : (readOnly ? "tax-view" : "tax-edit")
            return [
                "action": action, "formId": formId, "readOnly": readOnly,
                "submit": isNew ? "Add the rate" : "Save the rate",
                "summary": errors.summary as Any, "appliesToShipping": appliesToShipping,
                "fields": [
                    errors.field("tax-name", label: "Name (shown on receipts, like VAT)", value: name, required: true),
                    errors.field("tax-country", label: "Country (ISO code, like DE)", value: country, required: true),
                    errors.field("tax-region", label: "Region (optional, like CA; leave empty for the whole country)", value: region),
                    errors.field("tax-rate", label: "Rate in percent (like 8.875)", value: rate, required: true, inputMode: "decimal"),
                ],
            ]
        }
    }
}
