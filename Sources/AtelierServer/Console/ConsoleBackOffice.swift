import Atelier
import Foundation
import HTTPTypes
import Hummingbird

/// The back office: shipping methods, tax rates, API keys, webhooks and privacy requests.
struct ConsoleBackOffice: Sendable {
    let services: AppServices
    let page: ConsolePage

    func respond(_ route: BackOfficeRoute, form: ConsoleForm, staff: StaffSessionContext) async throws -> Response {
        page.error(.notFound, heading: "Not found", message: "The console has no page here.", staff: staff)
    }
}
