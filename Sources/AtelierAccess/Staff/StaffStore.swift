import AtelierCore
import Foundation
import SQLKit

/// Creates, finds, lists, disables and enables staff accounts; their passwords and sign-in are in
/// `StaffStore+Passwords.swift`.
///
/// Methods that change more than one row (disabling ends the sessions; the last-admin rule reads before it writes)
/// must run inside a transaction, like `APIKeyStore.revoke`.
public struct StaffStore: Sendable {
    public static let idPrefix = "stf"
    public static let emailMaxLength = 254
    public static let nameMaxLength = 100

    public let settings: StaffSettings
    let clock: WallClock

    public init(settings: StaffSettings = StaffSettings(), clock: WallClock = .system) {
        self.settings = settings
        self.clock = clock
    }

    var throttle: LoginThrottle { LoginThrottle(settings: settings, clock: clock) }
    var sessions: StaffSessionStore { StaffSessionStore(settings: settings, clock: clock) }

    struct Row: Codable, Sendable {
        var id: String
        var email: String
        var displayName: String
        var role: String
        var passwordHash: String
        var mustChangePassword: Bool
        var disabledAt: Date?
        var passwordChangedAt: Date?
        var createdAt: Date
        var updatedAt: Date

        func account() throws -> StaffAccount {
            guard let role = Role(rawValue: role) else { throw AtelierError.internalError }
            return StaffAccount(id: id, email: email, displayName: displayName, role: role, mustChangePassword: mustChangePassword,
                                disabledAt: disabledAt, passwordChangedAt: passwordChangedAt, createdAt: createdAt, updatedAt: updatedAt)
        }
    }

    static let decoder = SnakeCaseColumns.decoder

    // MARK: Input

    /// How emails are kept and compared: trimmed and lowercased.
    public static func normalizedEmail(_ email: String) -> String {
        email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    /// The email as stored, or 422 `validation_failed` (`invalid_email`): one @ with text on both sides, no spaces
    /// or control characters, at most 254 bytes. A dot in the domain is not required (`admin@localhost`).
    public static func validateEmail(_ email: String) throws(AtelierError) -> String {
        let normalized = normalizedEmail(email)
        let parts = normalized.split(separator: "@", omittingEmptySubsequences: false)
        let valid = (3...emailMaxLength).contains(normalized.utf8.count)
            && !normalized.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control })
            && parts.count == 2 && !parts[0].isEmpty && parts[0].utf8.count <= 64 && !parts[1].isEmpty
            && !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".")
        guard valid else {
            throw AtelierError.validation([.init(pointer: "/email", code: .invalidEmail,
                                                 message: "email must be an email address like ada@example.com.")])
        }
        return normalized
    }

    /// The display name as stored (trimmed), or 422 `validation_failed`.
    public static func validateName(_ name: String) throws(AtelierError) -> String {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        var problems = ValidationErrors()
        if trimmed.isEmpty {
            problems.add("/displayName", .required, "displayName must not be empty.")
        } else if trimmed.count > nameMaxLength {
            problems.add("/displayName", .tooLong, "displayName must be at most \(nameMaxLength) characters.")
        } else if trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            problems.add("/displayName", .invalidCharacters, "displayName must not contain control characters.")
        }
        try problems.check()
        return trimmed
    }

    static func notFound(_ what: String) -> AtelierError {
        AtelierError(.notFound, code: .staffNotFound, title: "Not found", detail: "Staff account \(what) does not exist.")
    }

    // MARK: Accounts

    /// A new account with a one-time password it must change at its first sign-in; 409 `staff_email_taken` when
    /// another account has the email.
    public func create(email: String, displayName: String, role: Role, on db: any SQLDatabase) async throws -> IssuedStaffAccount {
        let email = try Self.validateEmail(email)
        let displayName = try Self.validateName(displayName)
        let password = StaffPassword.oneTime()
        let hash = try await StaffPassword.hash(password, cost: settings.effectiveBcryptCost)
        let now = clock.now
        let id = Identifier.make(prefix: Self.idPrefix, at: now)
        // ON CONFLICT rather than a read first: two creations of one email at once still make one account.
        let inserted = try await db.raw("""
            INSERT INTO staff_accounts (id, email, display_name, role, password_hash, must_change_password, created_at, updated_at)
            VALUES (\(bind: id), \(bind: email), \(bind: displayName), \(bind: role.rawValue), \(bind: hash), \(bind: true),
                \(bind: now), \(bind: now))
            ON CONFLICT (email) DO NOTHING RETURNING id
            """).all()
        guard !inserted.isEmpty else {
            throw AtelierError(.conflict, code: .staffEmailTaken, title: "The email is taken",
                               detail: "Another staff account signs in as \(email).")
        }
        let account = StaffAccount(id: id, email: email, displayName: displayName, role: role, mustChangePassword: true,
                                   createdAt: now, updatedAt: now)
        return IssuedStaffAccount(account: account, oneTimePassword: password)
    }

    func row(id: String, on db: any SQLDatabase) async throws -> Row? {
        guard Identifier.isWellFormed(id, prefix: Self.idPrefix) else { return nil }
        return try await db.select().column("*").from("staff_accounts").where("id", .equal, id)
            .first(decoding: Row.self, with: Self.decoder)
    }

    func row(email: String, on db: any SQLDatabase) async throws -> Row? {
        let email = Self.normalizedEmail(email)
        guard !email.isEmpty, email.utf8.count <= Self.emailMaxLength, !email.containsNUL else { return nil }
        return try await db.select().column("*").from("staff_accounts").where("email", .equal, email)
            .first(decoding: Row.self, with: Self.decoder)
    }

    /// The row of `id`, or 404 `staff_not_found`.
    func existingRow(id: String, on db: any SQLDatabase) async throws -> Row {
        guard let row = try await self.row(id: id, on: db) else { throw Self.notFound("'\(id)'") }
        return row
    }

    public func find(id: String, on db: any SQLDatabase) async throws -> StaffAccount? {
        try await row(id: id, on: db)?.account()
    }

    /// The account of an email, compared as stored (trimmed, lowercased).
    public func find(email: String, on db: any SQLDatabase) async throws -> StaffAccount? {
        try await row(email: email, on: db)?.account()
    }

    /// Every account, disabled ones too, in creation order.
    public func list(page: PageRequest, on db: any SQLDatabase) async throws -> Page<StaffAccount> {
        var query = db.select().column("*").from("staff_accounts")
        if let after = page.after { query = query.where("id", .greaterThan, after) }
        let rows = try await query.orderBy("id").limit(page.limit + 1).all(decoding: Row.self, with: Self.decoder)
        return try page.page(from: rows, key: \.id) { try $0.account() }
    }

    public func count(on db: any SQLDatabase) async throws -> Int {
        try await db.raw("SELECT COUNT(*) AS n FROM staff_accounts").first(decodingColumn: "n", as: Int.self) ?? 0
    }

    /// Gives the account another role. An active admin is the last one if no other active admin exists: it keeps
    /// its role (409 `last_admin`), so somebody can always manage the staff. Run inside a transaction.
    public func setRole(id: String, role: Role, on db: any SQLDatabase) async throws -> StaffAccount {
        let row = try await existingRow(id: id, on: db)
        guard row.role != role.rawValue else { return try row.account() }
        if row.role == Role.admin.rawValue, row.disabledAt == nil {
            try await requireAnotherActiveAdmin(than: id, doing: "give it another role", on: db)
        }
        try await db.update("staff_accounts").set("role", to: role.rawValue).set("updated_at", to: clock.now)
            .where("id", .equal, id).run()
        return try await existingRow(id: id, on: db).account()
    }

    /// Disables the account and ends all its sessions, at once; disabling twice answers the account as it is.
    /// The last active admin cannot be disabled (409 `last_admin`). Run inside a transaction.
    public func disable(id: String, on db: any SQLDatabase) async throws -> StaffAccount {
        let row = try await existingRow(id: id, on: db)
        guard row.disabledAt == nil else { return try row.account() }
        if row.role == Role.admin.rawValue {
            try await requireAnotherActiveAdmin(than: id, doing: "disable it", on: db)
        }
        let now = clock.now
        try await db.update("staff_accounts").set("disabled_at", to: now).set("updated_at", to: now)
            .where("id", .equal, id).where("disabled_at", .is, SQLLiteral.null).run()
        try await sessions.endAll(staffId: id, on: db)
        return try await existingRow(id: id, on: db).account()
    }

    /// Lets a disabled account sign in again (with the password it had).
    public func enable(id: String, on db: any SQLDatabase) async throws -> StaffAccount {
        let row = try await existingRow(id: id, on: db)
        guard row.disabledAt != nil else { return try row.account() }
        try await db.update("staff_accounts").set("disabled_at", to: SQLLiteral.null).set("updated_at", to: clock.now)
            .where("id", .equal, id).run()
        return try await existingRow(id: id, on: db).account()
    }

    /// 409 `last_admin` unless an active admin other than `id` exists. On PostgreSQL the active admins' rows are
    /// locked, so two transactions cannot each take away one of the last two admins.
    func requireAnotherActiveAdmin(than id: String, doing action: String, on db: any SQLDatabase) async throws {
        let admins = try await db.raw("""
            SELECT id FROM staff_accounts WHERE role = 'admin' AND disabled_at IS NULL\(unsafeRaw: db.rowLock())
            """).all(decodingColumn: "id", as: String.self)
        guard admins.contains(where: { $0 != id }) else {
            throw AtelierError(
                .conflict, code: .lastAdmin, title: "Cannot change the last admin",
                detail: "This is the last active admin staff account: make another admin before you \(action)."
            )
        }
    }
}
