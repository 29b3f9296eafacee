import AtelierCore
import Foundation
import SQLKit

/// Counts failed sign-ins per account and per client address in the database, so that every node of the shop
/// counts the same, and refuses sign-ins for an account or address that failed too often.
///
/// A row per (scope, key): `account` rows are keyed by the SHA-256 of the lowercased email (an email that has no
/// account is counted like one that has, and the table names nobody), `address` rows by the client's address.
/// Each failure is one statement that adds to the count, starting a new count once the window has passed, and
/// locks the row for `lockout` when the count reaches its maximum; being a single statement, two nodes recording
/// at once both count, inside a transaction or not.
public struct LoginThrottle: Sendable {
    enum Scope: String {
        case account
        case address
    }

    public let settings: StaffSettings
    private let clock: WallClock

    public init(settings: StaffSettings = StaffSettings(), clock: WallClock = .system) {
        self.settings = settings
        self.clock = clock
    }

    /// The key of an account's row: never the email itself.
    static func accountKey(_ email: String) -> String {
        Secret.sha256Hex(StaffStore.normalizedEmail(email))
    }

    /// The key of an address's row: the address, or its hash when it is not something a column should hold.
    static func addressKey(_ address: String) -> String {
        let trimmed = address.trimmingCharacters(in: .whitespaces)
        guard trimmed.utf8.count <= 100, !trimmed.containsNUL else { return Secret.sha256Hex(trimmed) }
        return trimmed
    }

    /// Each row a sign-in is counted in: its scope, key and the failures that lock it.
    private func keys(email: String, address: String?) -> [(Scope, String, Int)] {
        var rows = [(Scope.account, Self.accountKey(email), settings.maxFailuresPerAccount)]
        if let address { rows.append((.address, Self.addressKey(address), settings.maxFailuresPerAddress)) }
        return rows
    }

    /// Throws 429 `login_throttled`, with `retryAfter` in seconds, while the account or the address is locked.
    /// Call it before checking a password, so a locked account is not even tried.
    public func check(email: String, address: String?, on db: any SQLDatabase) async throws {
        let now = clock.now
        var latest: Date?
        for (scope, key, _) in keys(email: email, address: address) {
            let until = try await db.raw("""
                SELECT locked_until FROM login_attempts WHERE scope = \(bind: scope.rawValue) AND key = \(bind: key)
                """).first(decodingColumn: "locked_until", as: Date?.self) ?? nil
            if let until, until > now { latest = max(latest ?? until, until) }
        }
        guard let lockedUntil = latest else { return }
        let retryAfter = max(1, Int(lockedUntil.timeIntervalSince(now).rounded(.up)))
        throw AtelierError(
            .tooManyRequests, code: .loginThrottled, title: "Too many failed sign-ins",
            detail: "Sign-in is paused after too many failed attempts; retry after \(retryAfter) s.",
            members: ["retryAfter": String(retryAfter)]
        )
    }

    /// Counts one failed sign-in for the account (whether it exists or not) and for the address.
    public func recordFailure(email: String, address: String?, on db: any SQLDatabase) async throws {
        let now = clock.now
        // A count whose first failure is this old (or older) starts again.
        let windowStart = now.addingTimeInterval(-settings.failureWindow)
        let lockedUntil = now.addingTimeInterval(settings.lockout)
        for (scope, key, maximum) in keys(email: email, address: address) {
            let firstLock: Date? = maximum <= 1 ? lockedUntil : nil
            try await db.raw("""
                INSERT INTO login_attempts (scope, key, failures, window_started_at, locked_until)
                VALUES (\(bind: scope.rawValue), \(bind: key), 1, \(bind: now), \(bind: firstLock))
                ON CONFLICT (scope, key) DO UPDATE SET
                    failures = CASE WHEN login_attempts.window_started_at <= \(bind: windowStart) THEN 1
                        ELSE login_attempts.failures + 1 END,
                    window_started_at = CASE WHEN login_attempts.window_started_at <= \(bind: windowStart) THEN \(bind: now)
                        ELSE login_attempts.window_started_at END,
                    locked_until = CASE
                        WHEN (CASE WHEN login_attempts.window_started_at <= \(bind: windowStart) THEN 1
                            ELSE login_attempts.failures + 1 END) >= \(bind: maximum) THEN \(bind: lockedUntil)
                        ELSE login_attempts.locked_until END
                """).run()
        }
    }

    /// Forgets the account's failures after a successful sign-in. The address's count stays: one good password
    /// must not reset the count of an address trying many accounts.
    public func recordSuccess(email: String, on db: any SQLDatabase) async throws {
        try await db.raw("""
            DELETE FROM login_attempts WHERE scope = \(bind: Scope.account.rawValue) AND key = \(bind: Self.accountKey(email))
            """).run()
    }

    /// Housekeeping: deletes the rows whose count and lock have both run out; answers how many.
    public func deleteExpired(on db: any SQLDatabase) async throws -> Int {
        let now = clock.now
        return try await db.raw("""
            DELETE FROM login_attempts
            WHERE window_started_at <= \(bind: now.addingTimeInterval(-settings.failureWindow))
                AND (locked_until IS NULL OR locked_until <= \(bind: now))
            RETURNING key
            """).all().count
    }
}
