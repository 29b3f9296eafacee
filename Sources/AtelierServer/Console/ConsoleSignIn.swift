import Atelier
import Foundation
import HTTPTypes
import Hummingbird

/// Signing in and out, and changing one's password. Sign-in answers never say whether an email has an
/// account; failures are throttled per account and per address (`LoginThrottle`), shared by every node.
struct ConsoleSignIn: Sendable {
    let services: AppServices
    let page: ConsolePage

    static let wrongCredentials = "The email or password is wrong."

    func signInPage(_ request: Request, notice: String? = nil) -> Response {
        let token = ConsoleCookies.value(ConsoleCookies.signInToken, in: request.headers) ?? ConsoleCookies.newToken()
        return page.render("sign-in", title: "Sign in", staff: nil, values: ["csrf": token, "notice": notice as Any],
                           headers: [ConsoleCookies.set(ConsoleCookies.signInToken, token)])
    }

    func signIn(_ request: Request, address: String?) async throws -> Response {
        let form = await ConsoleForm.read(request)
        // The sign-in form's token is the one its page set as a cookie (a form posted from elsewhere has none).
        guard let expected = ConsoleCookies.value(ConsoleCookies.signInToken, in: request.headers),
              StaffSessionStore.csrfMatches(form["csrf"], expected) else {
            return page.error(.forbidden, heading: "Form expired",
                              message: "The form has expired or did not come from this console; open the sign-in page again.", staff: nil)
        }
        let email = form.text("email") ?? ""
        let password = form["password"] ?? ""
        func again(_ status: HTTPResponse.Status, _ message: String) -> Response {
            page.render("sign-in", title: "Sign in", status: status, staff: nil, values: ["csrf": expected, "email": email, "error": message])
        }
        let staff = services.staff
        let account: StaffAccount?
        do {
            // bcrypt takes a while: not in a transaction, so no write lock is held meanwhile.
            account = try await services.database.withConnection { db in
                try await staff.authenticate(email: email, password: password, address: address, on: db)
            }
        } catch let error as AtelierError where error.code == .loginThrottled {
            let minutes = max(1, (Int(error.members["retryAfter"] ?? "") ?? 60) / 60)
            return again(.tooManyRequests, "Too many sign-in attempts; try again in \(minutes) minute\(minutes == 1 ? "" : "s").")
        }
        guard let account else { return again(.unauthorized, Self.wrongCredentials) }
        // A new session at every sign-in: a token planted before it is worth nothing.
        if let old = ConsoleCookies.value(ConsoleCookies.session, in: request.headers) {
            let sessions = services.staffSessions
            try await services.database.withConnection { db in try await sessions.end(token: old, on: db) }
        }
        let sessions = services.staffSessions
        let issued = try await services.database.withConnection { db in try await sessions.start(staffId: account.id, on: db) }
        return ConsolePage.redirect(to: "/console/", headers: [
            ConsoleCookies.set(ConsoleCookies.session, issued.token), ConsoleCookies.clear(ConsoleCookies.signInToken),
        ])
    }

    func signOut(_ request: Request, staff: StaffSessionContext) async throws -> Response {
        guard let token = ConsoleCookies.value(ConsoleCookies.session, in: request.headers) else {
            return ConsolePage.redirect(to: "/console/sign-in")
        }
        let sessions = services.staffSessions
        try await services.database.withConnection { db in try await sessions.end(token: token, on: db) }
        return ConsolePage.redirect(to: "/console/sign-in", headers: [ConsoleCookies.clear(ConsoleCookies.session)])
    }

    func passwordPage(staff: StaffSessionContext, error: String? = nil, status: HTTPResponse.Status = .ok) -> Response {
        page.render("password", title: "Change your password", status: status, staff: staff,
                    values: ["minimumLength": services.configuration.staff.minimumPasswordLength, "error": error as Any])
    }

    /// Changes the password, which ends every session of the account, and signs this browser in again.
    func changePassword(_ form: ConsoleForm, staff: StaffSessionContext) async throws -> Response {
        let new = form["new"] ?? ""
        guard new == form["confirm"] else {
            return passwordPage(staff: staff, error: "The two new passwords differ.", status: .unprocessableContent)
        }
        let store = services.staff
        let changed: StaffAccount?
        do {
            changed = try await services.database.withConnection { db in
                try await store.changePassword(id: staff.account.id, current: form["current"] ?? "", new: new, on: db)
            }
        } catch let error as AtelierError where error.status < 500 {
            return passwordPage(staff: staff, error: error.detail, status: .unprocessableContent)
        }
        guard let changed else {
            return passwordPage(staff: staff, error: "The current password is wrong.", status: .unauthorized)
        }
        let sessions = services.staffSessions
        let issued = try await services.database.withConnection { db in try await sessions.start(staffId: changed.id, on: db) }
        return ConsolePage.redirect(to: "/console/", headers: [ConsoleCookies.set(ConsoleCookies.session, issued.token)])
    }
}
