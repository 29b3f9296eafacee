import Atelier
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Privacy requests, for admins: a customer's data exported as the admin API's JSON document (a download), and
/// erased once the admin has typed the email a second time. Both through the same domain calls as the API, with
/// the staff member as the recorded actor; emails travel in posted forms only, never in a URL.
struct ConsolePrivacy: Sendable {
    let services: AppServices
    let page: ConsolePage

    /// The forms as typed (the confirmation is never shown again: it must be typed each time).
    struct Draft {
        var exportEmail = ""
        var eraseEmail = ""
    }

    func form(staff: StaffSessionContext, draft: Draft = Draft(), errors: ConsoleFieldErrors = ConsoleFieldErrors(),
              erased: PrivacyRequests.ErasureSummary? = nil, status: HTTPResponse.Status = .ok) -> Response {
        page.render("privacy", title: "Privacy requests", status: status, staff: staff, values: [
            "summary": errors.summary as Any,
            "exportField": errors.field("export-email", label: "Email to export", value: draft.exportEmail, type: "email", required: true,
                                        autocomplete: "off"),
            "eraseField": errors.field("erase-email", label: "Email to erase", value: draft.eraseEmail, type: "email", required: true,
                                       autocomplete: "off"),
            "confirmField": errors.field("erase-confirm", label: "The same email again, to confirm", value: "", type: "email", required: true,
                                         hint: "Erasure cannot be undone: type the address exactly as above.", autocomplete: "off"),
            "erased": erased.map { summary -> [String: Any] in
                ["requestId": summary.requestId, "counts": [
                    ("Orders erased", summary.ordersErased), ("Open orders kept until they ship or are cancelled", summary.ordersPending),
                    ("Checkouts erased", summary.checkoutsErased), ("Carts deleted", summary.cartsDeleted),
                    ("Customization sessions deleted", summary.sessionsDeleted), ("Images and previews deleted", summary.assetsDeleted),
                    ("Payment provider events erased", summary.paymentEventsErased), ("Email copies deleted", summary.emailCopiesDeleted),
                ].map { ["label": $0.0, "count": $0.1] as [String: Any] }]
            } as Any,
        ])
    }

    /// The JSON document of everything held about the email, as a download (the same document as the API's export).
    func export(_ posted: ConsoleForm, staff: StaffSessionContext) async throws -> Response {
        let draft = Draft(exportEmail: posted["export-email"] ?? "")
        let email: String
        do {
            email = try PrivacyRequests.subjectEmail(draft.exportEmail)
        } catch {
            let errors = ConsoleFieldErrors(error) { $0 == "/email" ? "export-email" : nil }
            return form(staff: staff, draft: draft, errors: errors, status: .unprocessableContent)
        }
        let document = try await services.privacy.export(email: email, actorId: staff.account.id)
        let stamp = services.clock.now.ISO8601Format().replacingOccurrences(of: ":", with: "")
        return Response(status: .ok, headers: [
            .contentType: "application/json", .contentDisposition: "attachment; filename=\"privacy-export-\(stamp).json\"",
        ], body: .init(byteBuffer: ByteBuffer(bytes: document)))
    }

    /// Erases what is held about the email once the confirmation repeats it exactly; shows what was erased.
    func erase(_ posted: ConsoleForm, staff: StaffSessionContext) async throws -> Response {
        let draft = Draft(eraseEmail: posted["erase-email"] ?? "")
        let email: String
        do {
            email = try PrivacyRequests.subjectEmail(draft.eraseEmail)
        } catch {
            let errors = ConsoleFieldErrors(error) { $0 == "/email" ? "erase-email" : nil }
            return form(staff: staff, draft: draft, errors: errors, status: .unprocessableContent)
        }
        guard (posted["erase-confirm"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines) == email else {
            var errors = ConsoleFieldErrors()
            errors.add("erase-confirm", "does not match the email to erase; type it again exactly. Nothing was erased.")
            return form(staff: staff, draft: draft, errors: errors, status: .unprocessableContent)
        }
        let summary = try await services.privacy.erase(email: email, actorId: staff.account.id)
        return form(staff: staff, erased: summary)
    }
}
