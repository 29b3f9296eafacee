import Atelier
import AtelierTestSupport
import Foundation
import SQLKit
import Testing

@Suite struct StaffSessionTests {
    static let start = Date(timeIntervalSince1970: 1_790_000_000)

    /// A database with one account, and stores on a clock the test moves.
    static func withAccount(
        _ body: @escaping @Sendable (any DatabaseClient, IssuedStaffAccount, StaffStore, StaffSessionStore, MovableClock) async throws -> Void
    ) async throws {
        try await TestDatabase.with { database in
            let clock = MovableClock(Self.start)
            let store = StaffStore(settings: .forTests, clock: clock.wall)
            let sessions = StaffSessionStore(settings: .forTests, clock: clock.wall)
            let issued = try await database.transaction { db in
                try await store.create(email: "ada@example.com", displayName: "Ada", role: .admin, on: db)
            }
            try await body(database, issued, store, sessions, clock)
        }
    }

    @Test func theStoredIdIsTheTokensHashNeverTheToken() async throws {
        try await Self.withAccount { database, issued, _, sessions, _ in
            let started = try await database.withConnection { db in try await sessions.start(staffId: issued.account.id, on: db) }
            #expect(started.token.count == 43 && started.csrfToken.count == 43 && started.token != started.csrfToken)
            #expect(started.session.expiresAt == Self.start.addingTimeInterval(43_200))
            #expect(!"\(started)".contains(started.token))
            let ids = try await database.withConnection { db in
                try await db.raw("SELECT id FROM staff_sessions").all(decodingColumn: "id", as: String.self)
            }
            #expect(ids == [Secret.sha256Hex(started.token)])
            #expect(!ids.contains(started.token))
            let dump = try await database.withConnection { db in try await DatabaseDump.text(db) }
            #expect(!dump.contains(started.token))

            let context = try await database.withConnection { db in try await sessions.resume(token: started.token, on: db) }
            #expect(context?.account.id == issued.account.id)
            #expect(context?.sessionId == ids.first && context?.csrfToken == started.csrfToken)
            // The hash itself, or anything of another shape, resumes nothing.
            for token in [ids[0], "", String(started.token.dropLast()), started.token + "A", String(repeating: "!", count: 43)] {
                #expect(try await database.withConnection { db in try await sessions.resume(token: token, on: db) } == nil)
            }
        }
    }

    @Test func aSessionIdleLongerThanTheIdleTimeoutIsOver() async throws {
        try await Self.withAccount { database, issued, _, sessions, clock in
            let started = try await database.withConnection { db in try await sessions.start(staffId: issued.account.id, on: db) }
            // Each use within the idle timeout keeps it alive.
            for _ in 0..<3 {
                clock.advance(by: 1700)
                #expect(try await database.withConnection { db in try await sessions.resume(token: started.token, on: db) } != nil)
            }
            clock.advance(by: 1800)
            #expect(try await database.withConnection { db in try await sessions.resume(token: started.token, on: db) } == nil)
        }
    }

    @Test func aSessionEndsAtItsAbsoluteTimeoutHoweverMuchItIsUsed() async throws {
        try await Self.withAccount { database, issued, _, sessions, clock in
            let started = try await database.withConnection { db in try await sessions.start(staffId: issued.account.id, on: db) }
            // Used every 20 minutes for 12 hours less one step.
            for _ in 0..<35 {
                clock.advance(by: 1200)
                #expect(try await database.withConnection { db in try await sessions.resume(token: started.token, on: db) } != nil)
            }
            clock.advance(by: 1200)
            #expect(clock.now == Self.start.addingTimeInterval(43_200))
            #expect(try await database.withConnection { db in try await sessions.resume(token: started.token, on: db) } == nil)
        }
    }

    @Test func useIsNotedAtMostOnceAMinute() async throws {
        try await Self.withAccount { database, issued, _, sessions, clock in
            let started = try await database.withConnection { db in try await sessions.start(staffId: issued.account.id, on: db) }
            func lastSeen() async throws -> Date? {
                try await database.withConnection { db in
                    try await db.raw("SELECT last_seen_at FROM staff_sessions").first(decodingColumn: "last_seen_at", as: Date.self)
                }
            }
            clock.advance(by: 30)
            _ = try await database.withConnection { db in try await sessions.resume(token: started.token, on: db) }
            #expect(try await lastSeen() == Self.start)
            clock.advance(by: 45)
            _ = try await database.withConnection { db in try await sessions.resume(token: started.token, on: db) }
            #expect(try await lastSeen() == Self.start.addingTimeInterval(75))
        }
    }

    @Test func changingThePasswordEndsEverySessionOfTheAccount() async throws {
        try await Self.withAccount { database, issued, store, sessions, _ in
            let (first, second) = try await database.withConnection { db in
                (try await sessions.start(staffId: issued.account.id, on: db), try await sessions.start(staffId: issued.account.id, on: db))
            }
            let id = issued.account.id
            // A weak new password is refused before anything changes.
            for weak in ["short", "ada@example.com", issued.oneTimePassword] {
                let error = await #expect(throws: AtelierError.self) {
                    try await database.transaction { db in
                        try await store.changePassword(id: id, current: issued.oneTimePassword, new: weak, on: db)
                    }
                }
                #expect(error?.code == .weakPassword && error?.status == 422, "accepted \(weak)")
            }
            // A wrong current password changes nothing.
            let refused = try await database.transaction { db in
                try await store.changePassword(id: id, current: "not the password", new: "a much better passphrase", on: db)
            }
            #expect(refused == nil)
            #expect(try await database.withConnection { db in try await sessions.resume(token: first.token, on: db) } != nil)

            let changed = try await database.transaction { db in
                try await store.changePassword(id: id, current: issued.oneTimePassword, new: "a much better passphrase", on: db)
            }
            #expect(changed?.mustChangePassword == false && changed?.passwordChangedAt != nil)
            for session in [first, second] {
                #expect(try await database.withConnection { db in try await sessions.resume(token: session.token, on: db) } == nil)
            }
            let (old, new) = try await database.withConnection { db in
                (try await store.authenticate(email: "ada@example.com", password: issued.oneTimePassword, address: nil, on: db),
                 try await store.authenticate(email: "ada@example.com", password: "a much better passphrase", address: nil, on: db))
            }
            #expect(old == nil)
            #expect(new != nil)
        }
    }

    @Test func anAdminsResetGivesANewOneTimePasswordAndEndsEverySession() async throws {
        try await Self.withAccount { database, issued, store, sessions, _ in
            let session = try await database.withConnection { db in try await sessions.start(staffId: issued.account.id, on: db) }
            let reset = try await database.transaction { db in try await store.resetPassword(id: issued.account.id, on: db) }
            #expect(reset.oneTimePassword != issued.oneTimePassword && reset.account.mustChangePassword)
            #expect(try await database.withConnection { db in try await sessions.resume(token: session.token, on: db) } == nil)
            let (old, new) = try await database.withConnection { db in
                (try await store.authenticate(email: "ada@example.com", password: issued.oneTimePassword, address: nil, on: db),
                 try await store.authenticate(email: "ada@example.com", password: reset.oneTimePassword, address: nil, on: db))
            }
            #expect(old == nil)
            #expect(new != nil)
        }
    }

    @Test func signingOutEndsOneSessionAndHousekeepingDeletesWhatIsOver() async throws {
        try await Self.withAccount { database, issued, _, sessions, clock in
            let (kept, left) = try await database.withConnection { db in
                (try await sessions.start(staffId: issued.account.id, on: db), try await sessions.start(staffId: issued.account.id, on: db))
            }
            try await database.withConnection { db in try await sessions.end(token: left.token, on: db) }
            #expect(try await database.withConnection { db in try await sessions.resume(token: left.token, on: db) } == nil)
            #expect(try await database.withConnection { db in try await sessions.resume(token: kept.token, on: db) } != nil)
            clock.advance(by: 1)
            let deleted = try await database.withConnection { db in try await sessions.deleteExpired(before: clock.now, on: db) }
            #expect(deleted == 1)
            #expect(try await database.withConnection { db in try await sessions.resume(token: kept.token, on: db) } != nil)
            let ended = try await database.withConnection { db in try await sessions.endAll(staffId: issued.account.id, on: db) }
            #expect(ended == 1)
        }
    }

    @Test func csrfTokensMatchOnlyThemselves() {
        let token = Secret.randomToken(bytes: 32)
        #expect(StaffSessionStore.csrfMatches(token, token))
        #expect(!StaffSessionStore.csrfMatches(nil, token))
        #expect(!StaffSessionStore.csrfMatches("", token))
        #expect(!StaffSessionStore.csrfMatches("", ""))
        #expect(!StaffSessionStore.csrfMatches(String(token.dropLast()), token))
        #expect(!StaffSessionStore.csrfMatches(Secret.randomToken(bytes: 32), token))
    }
}
