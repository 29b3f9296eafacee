import Atelier
import AtelierTestSupport
import Testing

@Suite struct BootstrapTests {
    @Test func mintsOneAdminKeyOnAnEmptyDatabaseAndNeverAgain() async throws {
        try await TestDatabase.with(migrate: false) { database in
            let first = try await Bootstrap.prepare(database, mintAdminKey: true, logger: TestDatabase.logger)
            #expect(first?.key.role == .admin)
            let second = try await Bootstrap.prepare(database, mintAdminKey: true, logger: TestDatabase.logger)
            #expect(second == nil)
        }
    }

    @Test func serversStartingTogetherMintExactlyOneKey() async throws {
        try await TestDatabase.with(migrate: false) { database in
            let minted = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        try await Bootstrap.prepare(database, mintAdminKey: true, logger: TestDatabase.logger) != nil
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(minted == 1)
            #expect(try await database.withConnection { db in try await APIKeyStore().count(on: db) } == 1)
        }
    }

    @Test func mintsNothingWhenDisabled() async throws {
        try await TestDatabase.with(migrate: false) { database in
            let minted = try await Bootstrap.prepare(database, mintAdminKey: false, logger: TestDatabase.logger)
            let count = try await database.withConnection { db in try await APIKeyStore().count(on: db) }
            #expect(minted == nil)
            #expect(count == 0)
        }
    }
}
