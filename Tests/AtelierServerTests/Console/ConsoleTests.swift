import Atelier
@testable import AtelierServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// The console's sign-in, sessions, anti-forgery tokens and roles, through the app as `serve` builds it.
@Suite struct ConsoleTests {
    /// A staff account made in the database, with its one-time password.
    func staff(_ app: TestApp, _ email: String, _ role: Role) async throws -> IssuedStaffAccount {
        var settings = StaffSettings()
        settings.bcryptCost = 4
        let store = StaffStore(settings: settings)
        return try await app.database.transaction { db in try await store.create(email: email, displayName: "Test \(role.rawValue)", role: role, on: db) }
    }

    @Test func signingInStartsANewSessionAndSigningOutEndsIt() async throws {
        try await withApp { app in
            let account = try await staff(app, "ops@example.com", .operations)
            var browser = ConsoleClient(app)
            #expect(try await browser.get("/console/").status == .seeOther)
            let wrong = try await browser.signIn("ops@example.com", "not the password")
            #expect(wrong.status == .unauthorized && wrong.text.contains(ConsoleSignIn.wrongCredentials))
            let unknown = try await browser.signIn("nobody@example.com", "not the password")
            #expect(unknown.status == .unauthorized && unknown.text.contains(ConsoleSignIn.wrongCredentials))
            let signedIn = try await browser.signIn("ops@example.com", account.oneTimePassword)
            #expect(signedIn.status == .seeOther && signedIn.headers[.location] == "/console/")
            let cookie = signedIn.headers[values: .setCookie].first { $0.hasPrefix("atelier_console=") } ?? ""
            #expect(cookie.contains("HttpOnly") && cookie.contains("Secure") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/console"))
            let first = try #require(browser.cookies["atelier_console"])
            let dashboard = try await browser.get("/console/")
            #expect(dashboard.status == .ok && dashboard.text.contains("<h1>Dashboard</h1>"))
            #expect(dashboard.headers[.cacheControl] == "no-store")
            #expect(dashboard.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
            #expect(dashboard.headers[.contentSecurityPolicy]?.contains("script") == false)

            // Signing in again replaces the session: the earlier token is worth nothing.
            try await browser.signIn("ops@example.com", account.oneTimePassword)
            let second = try #require(browser.cookies["atelier_console"])
            #expect(first != second)
            var stale = ConsoleClient(app)
            stale.cookies["atelier_console"] = first
            #expect(try await stale.get("/console/").status == .seeOther)

            // A post without the session's token, or with another, is refused and changes nothing.
            let token = try #require(ConsoleClient.csrf(in: try await browser.get("/console/").text))
            #expect(try await browser.post("/console/sign-out", form: [:]).status == .forbidden)
            #expect(try await browser.post("/console/sign-out", form: ["csrf": "forged"]).status == .forbidden)
            #expect(try await browser.get("/console/").status == .ok)
            let out = try await browser.post("/console/sign-out", form: ["csrf": token])
            #expect(out.status == .seeOther && out.headers[.location] == "/console/sign-in")
            var replay = ConsoleClient(app)
            replay.cookies["atelier_console"] = second
            #expect(try await replay.get("/console/").status == .seeOther)
        }
    }

    @Test func aSignInFormPostedWithoutItsPagesTokenIsRefused() async throws {
        try await withApp { app in
            let account = try await staff(app, "ops@example.com", .operations)
            var browser = ConsoleClient(app)
            let refused = try await browser.post("/console/sign-in", form: ["email": "ops@example.com", "password": account.oneTimePassword])
            #expect(refused.status == .forbidden && browser.cookies["atelier_console"] == nil)
        }
    }

    @Test func aSessionOfOneShopIsUselessOnAnother() async throws {
        let cookie = try await withApp { app in
            let account = try await staff(app, "ops@example.com", .operations)
            var browser = ConsoleClient(app)
            try await browser.signIn("ops@example.com", account.oneTimePassword)
            return try #require(browser.cookies["atelier_console"])
        }
        let status = try await withApp { app in
            var browser = ConsoleClient(app)
            browser.cookies["atelier_console"] = cookie
            return try await browser.get("/console/").status
        }
        #expect(status == .seeOther)
    }

    @Test func rolesDecideWhatIsShownAndWhatMayBeDone() async throws {
        try await withApp(configure: { $0.server.seedDemoCatalog = true }) { app in
            let order = try await OrderTimelineTests().paidOrder(app)
            let viewer = try await staff(app, "viewer@example.com", .viewer)
            let designer = try await staff(app, "designer@example.com", .designer)
            let operations = try await staff(app, "ops@example.com", .operations)

            var designing = ConsoleClient(app)
            try await designing.signIn("designer@example.com", designer.oneTimePassword)
            #expect(try await designing.get("/console/orders").status == .forbidden)
            #expect(try await designing.get("/console/orders/\(order.id)").status == .forbidden)

            var viewing = ConsoleClient(app)
            try await viewing.signIn("viewer@example.com", viewer.oneTimePassword)
            let seen = try await viewing.get("/console/orders/\(order.id)")
            #expect(seen.status == .ok && !seen.text.contains("Move to") && !seen.text.contains("Cancel the order"))
            #expect(seen.text.contains("Grace Hopper") && seen.text.contains("grace@example.com"))
            let token = try #require(ConsoleClient.csrf(in: seen.text))
            let refused = try await viewing.post("/console/orders/\(order.id)/transition", form: ["csrf": token, "to": "in_production"])
            #expect(refused.status == .forbidden)

            var working = ConsoleClient(app)
            try await working.signIn("ops@example.com", operations.oneTimePassword)
            // The dashboard counts the order (its sums read alike on SQLite and PostgreSQL).
            let dashboard = try await working.get("/console/")
            #expect(dashboard.status == .ok && dashboard.text.contains(#"<span class="figure">1</span> orders today"#), "\(dashboard.text)")
            let page = try await working.get("/console/orders/\(order.id)")
            #expect(page.text.contains("Move to in production"))
            let moved = try await working.post("/console/orders/\(order.id)/transition",
                                               form: ["csrf": try #require(ConsoleClient.csrf(in: page.text)), "to": "in_production"])
            #expect(moved.status == .seeOther)
            let illegal = try await working.post("/console/orders/\(order.id)/transition",
                                                 form: ["csrf": try #require(ConsoleClient.csrf(in: page.text)), "to": "delivered"])
            #expect(illegal.status == .conflict && illegal.text.contains("form-error"))

            // The admin API shows the same step, made by the staff member.
            let admin = try await app.send(.get, "/admin/orders/\(order.id)", token: app.adminToken)
            let audit = try #require(try admin.json()["audit"] as? [[String: Any]])
            let step = try #require(audit.first { $0["to"] as? String == "in_production" })
            #expect(step["actorKind"] as? String == "staff" && step["actorId"] as? String == operations.account.id)
        }
    }

    @Test func anAdminCreatesReRolesAndDisablesStaffAndADisabledAccountsSessionsEnd() async throws {
        try await withApp { app in
            let admin = try await staff(app, "boss@example.com", .admin)
            let operations = try await staff(app, "ops@example.com", .operations)
            var working = ConsoleClient(app)
            try await working.signIn("ops@example.com", operations.oneTimePassword)
            #expect(try await working.get("/console/staff").status == .forbidden)

            var managing = ConsoleClient(app)
            try await managing.signIn("boss@example.com", admin.oneTimePassword)
            let list = try await managing.get("/console/staff")
            let token = try #require(ConsoleClient.csrf(in: list.text))
            let created = try await managing.post("/console/staff", form: ["csrf": token, "email": "new@example.com", "name": "New", "role": "viewer"])
            #expect(created.status == .ok && created.text.contains("id=\"one-time-password\""))
            let taken = try await managing.post("/console/staff", form: ["csrf": token, "email": "new@example.com", "name": "New", "role": "viewer"])
            #expect(taken.status == .conflict)

            let role = try await managing.post("/console/staff/\(operations.account.id)/role", form: ["csrf": token, "role": "viewer"])
            #expect(role.status == .seeOther)
            #expect(try await managing.post("/console/staff/\(operations.account.id)/disable", form: ["csrf": token]).status == .seeOther)
            // The disabled account's open session is over at its next page.
            #expect(try await working.get("/console/").status == .seeOther)
            let again = try await working.signIn("ops@example.com", operations.oneTimePassword)
            #expect(again.status == .unauthorized)
        }
    }

    @Test func anAPIOnlyNodeServesNoConsole() async throws {
        try await withApp(configure: { $0.staff.consoleEnabled = false }) { app in
            let answer = try await app.send(.get, "/console/sign-in")
            #expect(answer.status == .notFound && answer.problemCode == "route_not_found")
        }
    }
}
