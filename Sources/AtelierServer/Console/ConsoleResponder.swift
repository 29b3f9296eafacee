import Atelier
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// The operator console at `/console`: server-rendered pages for staff signed in with their own accounts.
///
/// Every page but sign-in needs a live session (else a redirect to sign-in); every form post carries the
/// session's anti-forgery token (else 403); pages are `no-store`, under a Content-Security-Policy that allows
/// no script at all. Actions call the same domain stores as the admin API.
final class ConsoleResponder: Sendable {
    typealias Context = AtelierRequestContext

    let services: AppServices
    let page: ConsolePage
    let signIn: ConsoleSignIn
    let orders: ConsoleOrders
    let staffAccounts: ConsoleStaff
    let studio: ConsoleStudio
    let backOffice: ConsoleBackOffice
    let reports: ConsoleReports
    let clients: RateLimiter
    /// The API's response cache: made stale at once when a console form changes the catalog or the shop's settings.
    let cache: ResponseCache

    static let contentSecurityPolicy =
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    init(services: AppServices, templates: ConsoleTemplates, clients: RateLimiter, cache: ResponseCache) {
        self.services = services
        page = ConsolePage(templates: templates)
        signIn = ConsoleSignIn(services: services, page: page)
        orders = ConsoleOrders(services: services, page: page)
        staffAccounts = ConsoleStaff(services: services, page: page)
        studio = ConsoleStudio(services: services, page: page)
        backOffice = ConsoleBackOffice(services: services, page: page)
        reports = ConsoleReports(services: services, page: page)
        self.clients = clients
        self.cache = cache
    }

    func respond(to request: Request, context: Context, route: ConsoleRoute?) async -> Response {
        var response: Response
        do {
            response = try await answer(request, context: context, route: route)
        } catch {
            context.logger.error("console request failed", metadata: ["error": .string(String(reflecting: error))])
            response = page.error(.internalServerError, heading: "Something went wrong",
                                  message: "The console could not answer; try again. The request id is \(context.requestID).", staff: nil)
        }
        if route != .stylesheet {
            response.headers[.cacheControl] = "no-store"
        }
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        SecurityHeaders.apply(to: &response.headers)
        return response
    }

    private func answer(_ request: Request, context: Context, route: ConsoleRoute?) async throws -> Response {
        do {
            try RequestSize.check(request)
        } catch {
            return page.error(.badRequest, heading: "Request too large", message: "The address or the headers are too long.", staff: nil)
        }
        guard let route else {
            return page.error(.notFound, heading: "Not found", message: "The console has no page here.", staff: nil)
        }
        switch route {
        case .stylesheet:
            let templates = page.templates
            if let offered = request.headers[.ifNoneMatch], ResponseCache.matches(offered, etag: templates.stylesheetETag) {
                return Response(status: .notModified, headers: [.eTag: templates.stylesheetETag])
            }
            return Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .eTag: templates.stylesheetETag,
                                                   .cacheControl: "public, max-age=300"], body: .init(byteBuffer: templates.stylesheet))
        case .signInPage:
            return signIn.signInPage(request)
        case .signIn:
            return try await signIn.signIn(request, address: clients.clientAddress(remoteAddress: context.remoteAddress, headers: request.headers))
        default:
            break
        }
        guard let staff = try await session(request) else {
            return ConsolePage.redirect(to: "/console/sign-in", headers: [ConsoleCookies.clear(ConsoleCookies.session)])
        }
        switch route {
        case .studio(let area):
            return try await within(area, request, context: context, staff: staff) { form in try await studio.respond(area, form: form, staff: staff) }
        case .backOffice(let area):
            return try await within(area, request, context: context, staff: staff) { form in
                try await backOffice.respond(area, form: form, staff: staff)
            }
        case .reports(let area):
            return try await within(area, request, context: context, staff: staff) { form in try await reports.respond(area, form: form, staff: staff) }
        case .signOut, .changePassword, .transition, .staffAction, .searchOrders:
            // Every form post proves it came from a page of this session.
            let form = await ConsoleForm.read(request)
            guard StaffSessionStore.csrfMatches(form["csrf"], staff.csrfToken) else {
                return page.error(.forbidden, heading: "Form expired",
                                  message: "The form has expired or did not come from this console; open the page again.", staff: staff)
            }
            switch route {
            case .signOut: return try await signIn.signOut(request, staff: staff)
            case .changePassword: return try await signIn.changePassword(form, staff: staff)
            case .transition(let id):
                guard ConsolePage.movesOrders(staff.account.role) else {
                    return refuse(staff, "The \(staff.account.role.rawValue) role may look at orders but not move them.")
                }
                return try await orders.transition(id: id, form: form, staff: staff)
            case .searchOrders:
                guard ConsolePage.seesOrders(staff.account.role) else { return refuse(staff, Self.noOrders(staff)) }
                return try await orders.search(form)
            case .staffAction(let action):
                guard ConsoleStaff.manages(staff.account.role) else { return refuse(staff, "Only admins manage staff accounts.") }
                return try await staffAccounts.act(action, form: form, staff: staff)
            default: return page.error(.notFound, heading: "Not found", message: "The console has no page here.", staff: staff)
            }
        case .passwordPage:
            return signIn.passwordPage(staff: staff)
        case .staffList:
            guard ConsoleStaff.manages(staff.account.role) else { return refuse(staff, "Only admins manage staff accounts.") }
            return try await staffAccounts.list(staff: staff)
        case .dashboard:
            return try await orders.dashboard(staff: staff)
        case .orders, .order:
            guard ConsolePage.seesOrders(staff.account.role) else { return refuse(staff, Self.noOrders(staff)) }
            if case .order(let id) = route { return try await orders.order(id: id, staff: staff) }
            return try await orders.list(request, staff: staff)
        case .stylesheet, .signInPage, .signIn, .studio, .backOffice, .reports:
            return page.error(.notFound, heading: "Not found", message: "The console has no page here.", staff: staff)
        }
    }

    /// 403 for what the staff member's role may not see or do (the contract's roles).
    private func refuse(_ staff: StaffSessionContext, _ message: String) -> Response {
        page.refuse(staff, message)
    }

    /// Runs a page of one of the console's areas with its form: a post's body (refused with 403 unless it
    /// carries the session's anti-forgery token), or a page's query string. A post that succeeded may have changed
    /// the catalog, shipping or tax: this node's cached catalog answers are made stale at once (the stores bump the
    /// catalog revision; other nodes notice it within their poll), as after the admin API's writes.
    private func within<Area: ConsoleAreaRoute>(_ area: Area, _ request: Request, context: Context, staff: StaffSessionContext,
                                                _ answer: (ConsoleForm) async throws -> Response) async throws -> Response {
        guard area.isPost else { return try await answer(ConsoleForm(encoded: Substring(request.uri.query ?? ""))) }
        // A form with a file holds at most the largest image or import file the shop accepts, and a few fields.
        let settings = services.configuration
        let limit = area.sendsFile ? max(settings.assets.maxAssetBytes, settings.server.maxBodyBytes) + 1_048_576 : ConsoleForm.maxBytes
        let form = await ConsoleForm.read(request, maxBytes: limit)
        guard StaffSessionStore.csrfMatches(form["csrf"], staff.csrfToken) else {
            return page.error(.forbidden, heading: "Form expired",
                              message: "The form has expired or did not come from this console; open the page again.", staff: staff)
        }
        let response = try await answer(form)
        if response.status.kind == .successful || response.status.kind == .redirection {
            await refresh(cache, from: services.database, logger: context.logger)
        }
        return response
    }

    private static func noOrders(_ staff: StaffSessionContext) -> String {
        "Orders are not shown to the \(staff.account.role.rawValue) role."
    }

    /// The signed-in staff member of the request's session cookie, if the session is live.
    private func session(_ request: Request) async throws -> StaffSessionContext? {
        guard let token = ConsoleCookies.value(ConsoleCookies.session, in: request.headers) else { return nil }
        let sessions = services.staffSessions
        return try await services.database.withConnection { db in try await sessions.resume(token: token, on: db) }
    }
}
