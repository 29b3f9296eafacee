import Atelier
@testable import AtelierServer
import AtelierTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite struct ReportEndpointTests {
    @Test func reportsAnswerJSONOrCSVToReportRolesOnly() async throws {
        try await withApp(configure: { $0.catalog.shipDates = ShipDateCalendar(timeZone: TimeZone(identifier: "Europe/Berlin")!) }) { app in
            let viewer = try await app.makeKey(.viewer).token
            let designer = try await app.makeKey(.designer).token
            let json = try await app.send(.get, "/reports/sales?from=2026-03-23&to=2026-04-05&interval=week", token: viewer)
            #expect(json.status == .ok)
            let body = try json.json()
            #expect(body["timeZone"] as? String == "Europe/Berlin" && body["currency"] as? String == "USD")
            let trend = try #require(body["trend"] as? [[String: Any]])
            #expect(trend.map { $0["from"] as? String } == ["2026-03-23", "2026-03-30"])
            #expect((body["summary"] as? [String: Any])?["orders"] as? Int == 0)

            let csv = try await app.send(.get, "/reports/sales?from=2026-03-01&to=2026-03-31&interval=month", token: viewer,
                                         headers: [.accept: "text/csv"])
            #expect(csv.status == .ok && csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            #expect(csv.text.hasPrefix("section,from,to,product_id"))
            #expect(csv.text.contains("month,2026-03-01,2026-03-31"))
            let options = try await app.send(.get, "/reports/options?from=2026-03-01&to=2026-03-31", token: viewer, headers: [.accept: "text/csv"])
            #expect(options.status == .ok && options.text.hasPrefix("from,to,kind,attribute,value"))

            #expect(try await app.send(.get, "/reports/sales?from=2026-03-01&to=2026-03-31", token: designer).status == .forbidden)
            #expect(try await app.send(.get, "/reports/sales?from=2026-03-01&to=2026-03-31").status == .unauthorized)
            let bad = try await app.send(.get, "/reports/sales?from=2026-02-30&to=2026-03-31", token: viewer)
            #expect(bad.status == .unprocessableContent && bad.problemCode == "validation_failed")
            let reversed = try await app.send(.get, "/reports/sales?from=2026-04-01&to=2026-03-31", token: viewer)
            #expect(reversed.status == .unprocessableContent)
        }
    }
}
