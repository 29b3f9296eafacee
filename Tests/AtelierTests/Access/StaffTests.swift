import Atelier
import AtelierTestSupport
import Foundation
import SQLKit
import Testing

extension StaffSettings {
    /// The defaults with bcrypt's least cost, so that tests hash quickly.
    static var forTests: StaffSettings {
        var settings = StaffSettings()
        settings.bcryptCost = 4
        return settings
    }
}

@Suite struct StaffTests {
    static let start = Date(timeIntervalSince1970: 1_790_000_000)

    /// The failures counted for a scope and key, or nil when there is no row.
    static func failures(_ scope: String, _ key: String, on db: any SQLDatabase) async throws -> Int? {
        try await db.raw("SELECT failures FROM login_attempts WHERE scope = \(bind: scope) AND key = \(bind: key)")
            .first(decodingColumn: "failures", as: Int.self)
    }

    @Test func aCreatedAccountSignsInWithItsOneTimePasswordWhichIsStoredOnlyAsABcryptHash() async throws {
        try await TestDatabase.with { database in
            let store = StaffStore(settings: .forTests, clock: .fixed(Self.start))
            let issued = try await database.transaction { db in
                try await store.create(email: "  Ada.Lovelace@Example.COM ", displayName: " Ada ", role: .designer, on: db)
            }
            #expect(issued.account.email == "ada.lovelace@example.com")
            #expect(issued.account.displayName == "Ada")
            #expect(issued.account.role == .designer)
            #expect(issued.account.mustChangePassword)
            #expect(issued.account.id.hasPrefix("stf_"))
            #expect(issued.oneTimePassword.count == 20)
            #expect(issued.oneTimePassword.allSatisfy { "23456789abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ".contains($0) })
            #expect(!"\(issued)".contains(issued.oneTimePassword))
            let hash = try await database.withConnection { db in
                try await db.raw("SELECT password_hash FROM staff_accounts").first(decodingColumn: "password_hash", as: String.self)
            }
            #expect(hash?.hasPrefix("$2") == true && hash?.contains(issued.oneTimePassword) == false)

            let signedIn = try await database.withConnection { db in
                try await store.authenticate(email: "ADA.lovelace@example.com", password: issued.oneTimePassword, address: "10.0.0.1", on: db)
            }
            #expect(signedIn == issued.account)
            #expect(try await database.withConnection { db in try await store.find(email: " ada.LOVELACE@example.com", on: db) } == issued.account)
            #expect(try await database.withConnection { db in try await store.find(id: issued.account.id, on: db) } == issued.account)
        }
    }

    @Test func aWrongPasswordAndAnUnknownEmailAnswerNilAndCountAFailure() async throws {
        try await TestDatabase.with { database in
            let store = StaffStore(settings: .forTests)
            let issued = try await database.transaction { db in
                try await store.create(email: "grace@example.com", displayName: "Grace", role: .viewer, on: db)
            }
            let wrong = try await database.withConnection { db in
                try await store.authenticate(email: "grace@example.com", password: issued.oneTimePassword + "x", address: "10.0.0.2", on: db)
            }
            #expect(wrong == nil)
            let unknown = try await database.withConnection { db in
                try await store.authenticate(email: "Nobody@Example.com", password: "whatever it is", address: "10.0.0.2", on: db)
            }
            #expect(unknown == nil)
            try await database.withConnection { db in
                // Accounts are counted by the hash of the lowercased email, whether or not the account exists.
                #expect(try await Self.failures("account", Secret.sha256Hex("grace@example.com"), on: db) == 1)
                #expect(try await Self.failures("account", Secret.sha256Hex("nobody@example.com"), on: db) == 1)
                #expect(try await Self.failures("address", "10.0.0.2", on: db) == 2)
                let keys = try await db.raw("SELECT key FROM login_attempts").all(decodingColumn: "key", as: String.self)
                #expect(!keys.contains(where: { $0.contains("@") }))
            }
            // A success forgets the account's failures, not the address's.
            let right = try await database.withConnection { db in
                try await store.authenticate(email: "grace@example.com", password: issued.oneTimePassword, address: "10.0.0.2", on: db)
            }
            #expect(right?.id == issued.account.id)
            let (account, address) = try await database.withConnection { db in
                (try await Self.failures("account", Secret.sha256Hex("grace@example.com"), on: db),
                 try await Self.failures("address", "10.0.0.2", on: db))
            }
            #expect(account == nil)
            #expect(address == 2)
        }
    }

    @Test func aDisabledAccountCannotSignInAndItsSessionsEnd() async throws {
        try await TestDatabase.with { database in
            let store = StaffStore(settings: .forTests)
            let sessions = StaffSessionStore(settings: .forTests)
            let (admin, operations) = try await database.transaction { db in
                (try await store.create(email: "admin@example.com", displayName: "Admin", role: .admin, on: db),
                 try await store.create(email: "ops@example.com", displayName: "Ops", role: .operations, on: db))
            }
            let session = try await database.withConnection { db in try await sessions.start(staffId: operations.account.id, on: db) }
            #expect(try await database.withConnection { db in try await sessions.resume(token: session.token, on: db) } != nil)

            let disabled = try await database.transaction { db in try await store.disable(id: operations.account.id, on: db) }
            #expect(disabled.isDisabled)
            #expect(try await database.withConnection { db in try await sessions.resume(token: session.token, on: db) } == nil)
            let ended = try await database.withConnection { db in
                try await db.raw("SELECT COUNT(*) AS n FROM staff_sessions WHERE ended_at IS NOT NULL").first(decodingColumn: "n", as: Int.self)
            }
            #expect(ended == 1)
            let signIn = try await database.withConnection { db in
                try await store.authenticate(email: "ops@example.com", password: operations.oneTimePassword, address: nil, on: db)
            }
            #expect(signIn == nil)
            await #expect(throws: AtelierError.self) {
                try await database.withConnection { db in try await sessions.start(staffId: operations.account.id, on: db) }
            }

            // Enabled again, it signs in with the password it had.
            _ = try await database.transaction { db in try await store.enable(id: operations.account.id, on: db) }
            let again = try await database.withConnection { db in
                try await store.authenticate(email: "ops@example.com", password: operations.oneTimePassword, address: nil, on: db)
            }
            #expect(again?.id == operations.account.id)
            #expect(admin.account.role == .admin)
        }
    }

    @Test func theLastActiveAdminCannotBeDisabledNorDemoted() async throws {
        try await TestDatabase.with { database in
            let store = StaffStore(settings: .forTests)
            let first = try await database.transaction { db in
                try await store.create(email: "first@example.com", displayName: "First", role: .admin, on: db)
            }
            let error = await #expect(throws: AtelierError.self) {
                try await database.transaction { db in try await store.disable(id: first.account.id, on: db) }
            }
            #expect(error?.code == .lastAdmin && error?.status == 409)
            let demoted = await #expect(throws: AtelierError.self) {
                try await database.transaction { db in try await store.setRole(id: first.account.id, role: .viewer, on: db) }
            }
            #expect(demoted?.code == .lastAdmin)

            let second = try await database.transaction { db in
                try await store.create(email: "second@example.com", displayName: "Second", role: .admin, on: db)
            }
            let disabled = try await database.transaction { db in try await store.disable(id: first.account.id, on: db) }
            #expect(disabled.isDisabled)
            // Now the second is the last active admin.
            await #expect(throws: AtelierError.self) {
                try await database.transaction { db in try await store.disable(id: second.account.id, on: db) }
            }
            let viewer = try await database.transaction { db in try await store.setRole(id: first.account.id, role: .viewer, on: db) }
            #expect(viewer.role == .viewer)
        }
    }

    @Test func emailsAreUniqueAndInputIsValidated() async throws {
        try await TestDatabase.with { database in
            let store = StaffStore(settings: .forTests)
            _ = try await database.transaction { db in
                try await store.create(email: "taken@example.com", displayName: "One", role: .viewer, on: db)
            }
            let taken = await #expect(throws: AtelierError.self) {
                try await database.transaction { db in
                    try await store.create(email: " TAKEN@example.com", displayName: "Two", role: .admin, on: db)
                }
            }
            #expect(taken?.code == .staffEmailTaken && taken?.status == 409)
            for (email, name) in [("not-an-email", "Name"), ("a@", "Name"), ("two@@example.com", "Name"), ("sp ace@example.com", "Name"),
                                  ("ok@example.com", "   "), ("ok@example.com", String(repeating: "x", count: 101))] {
                let invalid = await #expect(throws: AtelierError.self) {
                    try await database.transaction { db in try await store.create(email: email, displayName: name, role: .viewer, on: db) }
                }
                #expect(invalid?.status == 422, "accepted \(email) / \(name)")
            }
            #expect(try StaffStore.validateEmail("admin@localhost") == "admin@localhost")
            #expect(try await database.withConnection { db in try await store.count(on: db) } == 1)
        }
    }

    @Test func listsInCreationOrderWithKeysetPages() async throws {
        try await TestDatabase.with { database in
            let ids = try await database.transaction { db in
                var ids: [String] = []
                for i in 0..<5 {
                    let store = StaffStore(settings: .forTests, clock: .fixed(Self.start.addingTimeInterval(Double(i))))
                    ids.append(try await store.create(email: "p\(i)@example.com", displayName: "P\(i)", role: .viewer, on: db).account.id)
                }
                return ids
            }
            let store = StaffStore(settings: .forTests)
            var seen: [String] = []
            var page = PageRequest(limit: 2)
            while true {
                let request = page
                let result = try await database.withConnection { db in try await store.list(page: request, on: db) }
                seen += result.items.map(\.id)
                guard let cursor = result.nextCursor else { break }
                page = try PageRequest(limit: 2, cursor: cursor)
            }
            #expect(seen == ids)
        }
    }
}
