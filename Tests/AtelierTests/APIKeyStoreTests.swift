import Atelier
import AtelierTestSupport
import Foundation
import SQLKit
import Testing

@Suite struct APIKeyStoreTests {
    static let start = Date(timeIntervalSince1970: 1_790_000_000)

    @Test func aCreatedKeyAuthenticatesAndIsStoredOnlyAsAHash() async throws {
        try await TestDatabase.with { database in
            let store = APIKeyStore(clock: .fixed(Self.start))
            let issued = try await database.withConnection { db in
                try await store.create(name: "  studio laptop ", role: .designer, on: db)
            }
            #expect(issued.key.name == "studio laptop")
            #expect(issued.token.hasPrefix("atk_"))
            #expect(issued.token.count == 74)
            let found = try await database.withConnection { db in try await store.authenticate(token: issued.token, on: db) }
            #expect(found?.id == issued.key.id)
            #expect(found?.role == .designer)
            // Nothing in the row contains the secret part of the token.
            let secret = String(issued.token.suffix(43))
            let stored = try await database.withConnection { db in
                try await db.raw("SELECT secret_hash FROM api_keys").first(decodingColumn: "secret_hash", as: String.self)
            }
            #expect(stored != nil && !stored!.contains(secret))
        }
    }

    @Test func tamperedUnknownAndMalformedTokensAreRejected() async throws {
        try await TestDatabase.with { database in
            let store = APIKeyStore()
            let issued = try await database.withConnection { db in try await store.create(name: "a", role: .admin, on: db) }
            var tampered = Array(issued.token)
            tampered[tampered.count - 1] = tampered.last == "A" ? "B" : "A"
            let other = try await database.withConnection { db in try await store.create(name: "b", role: .admin, on: db) }
            // The id of one key with the secret of another.
            let swapped = String(issued.token.prefix(31)) + String(other.token.suffix(43))
            for token in [String(tampered), swapped, "", "atk_", "Bearer x", String(issued.token.dropLast()), issued.token + "x"] {
                let found = try await database.withConnection { db in try await store.authenticate(token: token, on: db) }
                #expect(found == nil, "accepted \(token)")
            }
        }
    }

    @Test func aRevokedKeyNoLongerAuthenticates() async throws {
        try await TestDatabase.with { database in
            let store = APIKeyStore()
            let (keep, drop) = try await database.withConnection { db in
                (try await store.create(name: "keep", role: .admin, on: db), try await store.create(name: "drop", role: .admin, on: db))
            }
            let revoked = try await database.transaction { db in try await store.revoke(id: drop.key.id, on: db) }
            #expect(revoked.revokedAt != nil)
            #expect(try await database.withConnection { db in try await store.authenticate(token: drop.token, on: db) } == nil)
            #expect(try await database.withConnection { db in try await store.authenticate(token: keep.token, on: db) } != nil)
            // Revoking again answers the key unchanged.
            let again = try await database.transaction { db in try await store.revoke(id: drop.key.id, on: db) }
            #expect(again.revokedAt == revoked.revokedAt)
        }
    }

    @Test func theLastActiveAdminKeyCannotBeRevokedThroughTheAPI() async throws {
        try await TestDatabase.with { database in
            let store = APIKeyStore()
            let (admin, viewer) = try await database.withConnection { db in
                (try await store.create(name: "only admin", role: .admin, on: db), try await store.create(name: "v", role: .viewer, on: db))
            }
            let error = await #expect(throws: AtelierError.self) {
                try await database.transaction { db in try await store.revoke(id: admin.key.id, on: db) }
            }
            #expect(error?.code.rawValue == "last_admin_key")
            _ = try await database.transaction { db in try await store.revoke(id: viewer.key.id, on: db) }
            // The operator's command line may still do it.
            let forced = try await database.transaction { db in try await store.revoke(id: admin.key.id, allowingLastAdmin: true, on: db) }
            #expect(forced.revokedAt != nil)
        }
    }

    @Test func lastUsedIsRecordedAtMostOncePerMinute() async throws {
        try await TestDatabase.with { database in
            let creator = APIKeyStore(clock: .fixed(Self.start))
            let issued = try await database.withConnection { db in try await creator.create(name: "k", role: .viewer, on: db) }
            func use(at offset: TimeInterval) async throws -> Date? {
                let store = APIKeyStore(clock: .fixed(Self.start.addingTimeInterval(offset)))
                _ = try await database.withConnection { db in try await store.authenticate(token: issued.token, on: db) }
                return try await database.withConnection { db in try await store.find(id: issued.key.id, on: db) }?.lastUsedAt
            }
            #expect(try await use(at: 10) == Self.start.addingTimeInterval(10))
            #expect(try await use(at: 30) == Self.start.addingTimeInterval(10))
            #expect(try await use(at: 75) == Self.start.addingTimeInterval(75))
        }
    }

    @Test func listsInCreationOrderWithKeysetPages() async throws {
        try await TestDatabase.with { database in
            let ids = try await database.withConnection { db in
                var ids: [String] = []
                for i in 0..<5 {
                    let store = APIKeyStore(clock: .fixed(Self.start.addingTimeInterval(Double(i))))
                    ids.append(try await store.create(name: "k\(i)", role: .viewer, on: db).key.id)
                }
                return ids
            }
            let store = APIKeyStore()
            var seen: [String] = []
            var page = PageRequest(limit: 2)
            var pages = 0
            while true {
                let request = page
                let result = try await database.withConnection { db in try await store.list(page: request, on: db) }
                seen += result.items.map(\.id)
                pages += 1
                guard let cursor = result.nextCursor else { break }
                page = try PageRequest(limit: 2, cursor: cursor)
            }
            #expect(seen == ids)
            #expect(pages == 3)
        }
    }

    @Test func namesAreValidated() async throws {
        for bad in ["", "   ", String(repeating: "x", count: 101), "tab\tinside"] {
            #expect(throws: AtelierError.self) { try APIKeyStore.validateName(bad) }
        }
        #expect(try APIKeyStore.validateName(String(repeating: "é", count: 100)).count == 100)
    }
}
