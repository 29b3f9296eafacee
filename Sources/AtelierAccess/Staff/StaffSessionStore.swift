import AtelierCore
import Foundation
import SQLKit

/// Server-side console sessions. The cookie holds a random token; the database holds its SHA-256 as the session's
/// id, with the CSRF token of the session's forms. A session is over when it was ended (sign-out, a password change
/// or reset, the account disabled), when it was not used for `idleTimeout`, once `absoluteTimeout` has passed since
/// it started, or when its account is disabled.
public struct StaffSessionStore: Sendable {
    /// `last_seen_at` is written at most this often per session, so reads do not turn into writes.
    static let lastSeenResolution: TimeInterval = 60
    /// 32 bytes in unpadded base64url.
    static let tokenLength = 43

    public let settings: StaffSettings
    private let clock: WallClock

    public init(settings: StaffSettings = StaffSettings(), clock: WallClock = .system) {
        self.settings = settings
        self.clock = clock
    }

    struct Row: Codable, Sendable {
        var id: String
        var staffId: String
        var csrfToken: String
        var createdAt: Date
        var lastSeenAt: Date
        var expiresAt: Date
        var endedAt: Date?

        var session: StaffSession {
            StaffSession(id: id, staffId: staffId, createdAt: createdAt, lastSeenAt: lastSeenAt, expiresAt: expiresAt, endedAt: endedAt)
        }
    }

    /// Whether `token` has the shape of one this store hands out; anything else is refused before any query.
    static func isWellFormed(_ token: String) -> Bool {
        token.utf8.count == tokenLength && token.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"):
                true
            default:
                false
            }
        }
    }

    /// The stored id of a token.
    static func sessionId(for token: String) -> String { Secret.sha256Hex(token) }

    /// Starts a session for an account that exists and is not disabled (404 `staff_not_found` otherwise); call it
    /// after `StaffStore.authenticate` answered the account.
    public func start(staffId: String, on db: any SQLDatabase) async throws -> IssuedStaffSession {
        let staff = StaffStore(settings: settings, clock: clock)
        guard let account = try await staff.find(id: staffId, on: db), !account.isDisabled else {
            throw StaffStore.notFound("'\(staffId)'")
        }
        let token = Secret.randomToken(bytes: 32)
        let csrfToken = Secret.randomToken(bytes: 32)
        let now = clock.now
        let row = Row(id: Self.sessionId(for: token), staffId: account.id, csrfToken: csrfToken, createdAt: now, lastSeenAt: now,
                      expiresAt: now.addingTimeInterval(settings.absoluteTimeout), endedAt: nil)
        try await db.insert(into: "staff_sessions").model(row, keyEncodingStrategy: .convertToSnakeCase).run()
        return IssuedStaffSession(token: token, csrfToken: csrfToken, session: row.session)
    }

    /// The signed-in account of a cookie's token, or nil when the token is malformed or unknown, or the session is
    /// over (ended, idle too long, past its absolute end, or its account disabled). Notes the use at most once a
    /// minute.
    public func resume(token: String, on db: any SQLDatabase) async throws -> StaffSessionContext? {
        guard Self.isWellFormed(token) else { return nil }
        let id = Self.sessionId(for: token)
        guard let row = try await db.select().column("*").from("staff_sessions").where("id", .equal, id)
            .first(decoding: Row.self, with: StaffStore.decoder)
        else { return nil }
        let now = clock.now
        guard row.endedAt == nil, now < row.expiresAt, now.timeIntervalSince(row.lastSeenAt) < settings.idleTimeout else { return nil }
        guard let account = try await StaffStore(settings: settings, clock: clock).find(id: row.staffId, on: db), !account.isDisabled
        else { return nil }
        if now.timeIntervalSince(row.lastSeenAt) >= Self.lastSeenResolution {
            let cutoff = now.addingTimeInterval(-Self.lastSeenResolution)
            try await db.raw("""
                UPDATE staff_sessions SET last_seen_at = \(bind: now)
                WHERE id = \(bind: id) AND ended_at IS NULL AND last_seen_at < \(bind: cutoff)
                """).run()
        }
        return StaffSessionContext(account: account, sessionId: id, csrfToken: row.csrfToken)
    }

    /// Ends the session of a cookie's token (sign-out); nothing happens for an unknown or ended one.
    public func end(token: String, on db: any SQLDatabase) async throws {
        guard Self.isWellFormed(token) else { return }
        try await end(sessionId: Self.sessionId(for: token), on: db)
    }

    /// Ends a session by its stored id (`StaffSessionContext.sessionId`).
    public func end(sessionId: String, on db: any SQLDatabase) async throws {
        guard !sessionId.containsNUL else { return }
        try await db.raw("""
            UPDATE staff_sessions SET ended_at = \(bind: clock.now) WHERE id = \(bind: sessionId) AND ended_at IS NULL
            """).run()
    }

    /// Ends every session of an account; answers how many were open.
    @discardableResult
    public func endAll(staffId: String, on db: any SQLDatabase) async throws -> Int {
        try await db.raw("""
            UPDATE staff_sessions SET ended_at = \(bind: clock.now) WHERE staff_id = \(bind: staffId) AND ended_at IS NULL
            RETURNING id
            """).all().count
    }

    /// Housekeeping: deletes the sessions that were over before `cutoff` (ended, past their absolute end, or idle
    /// since before `cutoff` less the idle timeout); answers how many.
    @discardableResult
    public func deleteExpired(before cutoff: Date, on db: any SQLDatabase) async throws -> Int {
        try await db.raw("""
            DELETE FROM staff_sessions
            WHERE expires_at <= \(bind: cutoff) OR ended_at <= \(bind: cutoff)
                OR last_seen_at <= \(bind: cutoff.addingTimeInterval(-settings.idleTimeout))
            RETURNING id
            """).all().count
    }

    /// Whether a form's CSRF token is the session's, compared in constant time (over their hashes, so not even the
    /// length shows). A missing or empty token never matches.
    public static func csrfMatches(_ offered: String?, _ expected: String) -> Bool {
        guard let offered, !offered.isEmpty, !expected.isEmpty else { return false }
        return Secret.constantTimeEquals(Secret.sha256Hex(offered), Secret.sha256Hex(expected))
    }
}
