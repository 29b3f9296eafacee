import Atelier
import Foundation
import HTTPTypes
import Hummingbird

/// The catalog studio: products, their media, inventory and templates, and the bulk import.
struct ConsoleStudio: Sendable {
    let services: AppServices
    let page: ConsolePage
    let cache: ResponseCache

    func respond(_ route: StudioRoute, form: ConsoleForm, staff: StaffSessionContext) async throws -> Response {
        page.error(.notFound, heading: "Not found", message: "The console has no page here.", staff: staff)
    }
}
