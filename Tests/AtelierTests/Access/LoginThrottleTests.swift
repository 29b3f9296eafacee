import Atelier
import AtelierTestSupport
import Foundation
import SQLKit
import Testing

@Suite struct LoginThrottleTests {
    static let start = Date(timeIntervalSince1970: 1_790_000_000)

    @Test func anAccountIsLockedAfterItsMaximumOfFailuresAndFreedWhenTheLockoutPasses() async throws {
        try await TestDatabase.with { database in
            let clock = MovableClock(Self.start)
            let settings = StaffSettings.forTests
            let store = StaffStore(settings: settings, clock: clock.wall)
            let throttle = LoginThrottle(settings: settings, clock: clock.wall)
            let issued = try await database.transaction { db in
                try await store.create(email: "linus@example.com", displayName: "Linus", role: .operations, on: db)
            }
            for attempt in 1...settings.maxFailuresPerAccount {
                // A different address each time: only the account's count can lock.
                let answer = try await database.withConnection { db in
                    try await store.authenticate(email: "linus@example.com", password: "not the password", address: "10.0.1.\(attempt)", on: db)
                }
                #expect(answer == nil)
                clock.advance(by: 10)
            }
            let error = await #expect(throws: AtelierError.self) {
                try await database.withConnection { db in
                    try await throttle.check(email: "LINUS@example.com", address: "10.0.9.9", on: db)
                }
            }
            #expect(error?.code == .loginThrottled && error?.status == 429)
            let retryAfter = try #require(error?.members["retryAfter"].flatMap { Int($0) })
            #expect(retryAfter > 0 && retryAfter <= Int(settings.lockout))
            // Locked, even the right password is refused before it is checked.
            await #expect(throws: AtelierError.self) {
                try await database.withConnection { db in
                    try await store.authenticate(email: "linus@example.com", password: issued.oneTimePassword, address: "10.0.9.9", on: db)
                }
            }
            // Another account is not affected.
            try await database.withConnection { db in try await throttle.check(email: "someone@example.com", address: "10.0.9.9", on: db) }

            clock.advance(by: TimeInterval(retryAfter))
            try await database.withConnection { db in try await throttle.check(email: "linus@example.com", address: "10.0.9.9", on: db) }
            let signedIn = try await database.withConnection { db in
                try await store.authenticate(email: "linus@example.com", password: issued.oneTimePassword, address: "10.0.9.9", on: db)
            }
            #expect(signedIn?.id == issued.account.id)
        }
    }

    @Test func anAddressIsLockedAfterItsMaximumOfFailuresAcrossAccounts() async throws {
        try await TestDatabase.with { database in
            let clock = MovableClock(Self.start)
            var settings = StaffSettings.forTests
            settings.maxFailuresPerAddress = 3
            let store = StaffStore(settings: settings, clock: clock.wall)
            let throttle = LoginThrottle(settings: settings, clock: clock.wall)
            for guess in ["a@example.com", "b@example.com", "c@example.com"] {
                _ = try await database.withConnection { db in
                    try await store.authenticate(email: guess, password: "guess", address: "192.0.2.7", on: db)
                }
            }
            let error = await #expect(throws: AtelierError.self) {
                try await database.withConnection { db in try await throttle.check(email: "d@example.com", address: "192.0.2.7", on: db) }
            }
            #expect(error?.members["retryAfter"] == String(Int(settings.lockout)))
            // Another address may still try that email.
            try await database.withConnection { db in try await throttle.check(email: "d@example.com", address: "192.0.2.8", on: db) }
        }
    }

    @Test func failuresOlderThanTheWindowAreNotCounted() async throws {
        try await TestDatabase.with { database in
            let clock = MovableClock(Self.start)
            let settings = StaffSettings.forTests
            let throttle = LoginThrottle(settings: settings, clock: clock.wall)
            for _ in 1..<settings.maxFailuresPerAccount {
                try await database.withConnection { db in try await throttle.recordFailure(email: "slow@example.com", address: nil, on: db) }
            }
            clock.advance(by: settings.failureWindow + 1)
            // The count starts again: one more failure does not lock.
            try await database.withConnection { db in
                try await throttle.recordFailure(email: "slow@example.com", address: nil, on: db)
                try await throttle.check(email: "slow@example.com", address: nil, on: db)
                let failures = try await db.raw("SELECT failures FROM login_attempts WHERE scope = 'account'")
                    .first(decodingColumn: "failures", as: Int.self)
                #expect(failures == 1)
            }
            // Housekeeping drops rows whose count and lock have run out.
            clock.advance(by: settings.failureWindow + 1)
            let deleted = try await database.withConnection { db in try await throttle.deleteExpired(on: db) }
            #expect(deleted == 1)
        }
    }
}
