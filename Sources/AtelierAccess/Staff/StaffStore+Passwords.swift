import AtelierCore
import Foundation
import SQLKit

/// Sign-in and passwords. Changing or resetting a password ends every session of the account, in the same
/// transaction: whoever held one must sign in again with the new password.
extension StaffStore {
    /// What the console answers for a refused sign-in: never which of the email and the password was wrong.
    public static let invalidCredentials = AtelierError(
        .unauthorized, code: .invalidCredentials, title: "Wrong email or password",
        detail: "The email and password do not match an active staff account."
    )

    /// The account whose email and password these are, or nil — the same nil for an unknown email, a disabled
    /// account and a wrong password, after the same bcrypt work (an unknown or disabled account's password is
    /// checked against a hash of nothing), so neither the answer nor its time tells whether the email exists.
    ///
    /// Throws 429 `login_throttled` while the account or the address is locked (before checking anything).
    /// A failure is counted for the account and the address; a success forgets the account's failures. Those are
    /// writes the caller keeps: run it on a connection or in a transaction that commits when this returns nil.
    public func authenticate(email: String, password: String, address: String?, on db: any SQLDatabase) async throws -> StaffAccount? {
        try await throttle.check(email: email, address: address, on: db)
        let cost = settings.effectiveBcryptCost
        let found = try await self.row(email: email, on: db)
        let verified: Bool
        if let found, found.disabledAt == nil, StaffPassword.isHashable(password) {
            verified = try await StaffPassword.verify(password, hash: found.passwordHash)
        } else {
            _ = try await StaffPassword.verify(password, hash: try await StaffPassword.dummyHash(cost: cost))
            verified = false
        }
        guard let signedIn = found, verified else {
            try await throttle.recordFailure(email: email, address: address, on: db)
            return nil
        }
        try await throttle.recordSuccess(email: email, on: db)
        return try signedIn.account()
    }

    /// Replaces the password of a signed-in person, who gives the current one: nil when it is wrong (counted as a
    /// failed sign-in for the account, so guessing through this form is throttled like signing in; keep the
    /// transaction when nil is answered). The new one must be at least `minimumPasswordLength` characters, at most
    /// 72 bytes, and neither the email nor the current password (422 `weak_password`). On success the account no
    /// longer must change its password, and every one of its sessions has ended, the caller's too: sign the person
    /// in again with a new session. 429 `login_throttled` while the account is locked. Run inside a transaction.
    public func changePassword(id: String, current: String, new: String, on db: any SQLDatabase) async throws -> StaffAccount? {
        let row = try await existingRow(id: id, on: db)
        let problems = StaffPassword.problems(new, email: row.email, current: current, minimumLength: settings.minimumPasswordLength)
        guard problems.isEmpty else { throw StaffPassword.weak(problems) }
        try await throttle.check(email: row.email, address: nil, on: db)
        var verified = false
        if row.disabledAt == nil, StaffPassword.isHashable(current) {
            verified = try await StaffPassword.verify(current, hash: row.passwordHash)
        }
        guard verified else {
            try await throttle.recordFailure(email: row.email, address: nil, on: db)
            return nil
        }
        let hash = try await StaffPassword.hash(new, cost: settings.effectiveBcryptCost)
        let now = clock.now
        try await db.raw("""
            UPDATE staff_accounts SET password_hash = \(bind: hash), must_change_password = \(bind: false),
                password_changed_at = \(bind: now), updated_at = \(bind: now)
            WHERE id = \(bind: id)
            """).run()
        try await sessions.endAll(staffId: id, on: db)
        try await throttle.recordSuccess(email: row.email, on: db)
        return try await existingRow(id: id, on: db).account()
    }

    /// An admin's reset: a new one-time password the person must change at their next sign-in, every session of
    /// the account ended, and the account's failed sign-ins forgotten (a locked-out person can sign in with it at
    /// once). A disabled account stays disabled. 404 `staff_not_found`. Run inside a transaction.
    public func resetPassword(id: String, on db: any SQLDatabase) async throws -> IssuedStaffAccount {
        let row = try await existingRow(id: id, on: db)
        let password = StaffPassword.oneTime()
        let hash = try await StaffPassword.hash(password, cost: settings.effectiveBcryptCost)
        try await db.raw("""
            UPDATE staff_accounts SET password_hash = \(bind: hash), must_change_password = \(bind: true), updated_at = \(bind: clock.now)
            WHERE id = \(bind: id)
            """).run()
        try await sessions.endAll(staffId: id, on: db)
        try await throttle.recordSuccess(email: row.email, on: db)
        return IssuedStaffAccount(account: try await existingRow(id: id, on: db).account(), oneTimePassword: password)
    }
}
