import Atelier
import AtelierTestSupport
import Testing

@Suite struct BootstrapTests {
    @Test func mintsOneAdminKeyOnAnEmptyDatabaseAndNeverAgain() async throws {
        try await TestDatabase.with(migrate: false) { database in
            let first = try await Bootstrap.prepare(database, mintAdminKey: true, logger: TestDatabase.logger)
            #expect(first.adminKey?.key.role == .admin)
            #expect(first.consoleAdmin == nil)
            let second = try await Bootstrap.prepare(database, mintAdminKey: true, logger: TestDatabase.logger)
            #expect(second.adminKey == nil)
        }
    }

    @Test func serversStartingTogetherMintExactlyOneKey() async throws {
        try await TestDatabase.with(migrate: false) { database in
            let minted = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        try await Bootstrap.prepare(database, mintAdminKey: true, logger: TestDatabase.logger).adminKey != nil
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(minted == 1)
            #expect(try await database.withConnection { db in try await APIKeyStore().count(on: db) } == 1)
        }
    }

    @Test func createsOneConsoleAdminOnADatabaseWithoutStaffAndNeverAgain() async throws {
        var staff = StaffSettings()
        staff.bcryptCost = 4
        let settings = staff
        try await TestDatabase.with(migrate: false) { database in
            let first = try await Bootstrap.prepare(database, mintAdminKey: true, createConsoleAdmin: true, staff: settings,
                                                    logger: TestDatabase.logger)
            let admin = try #require(first.consoleAdmin)
            #expect(admin.account.email == Bootstrap.consoleAdminEmail)
            #expect(admin.account.displayName == "Administrator")
            #expect(admin.account.role == .admin && admin.account.mustChangePassword)
            #expect(admin.oneTimePassword.count == 20)
            #expect(!"\(admin)".contains(admin.oneTimePassword))
            let store = StaffStore(settings: settings)
            let signedIn = try await database.withConnection { db in
                try await store.authenticate(email: "Admin@Localhost", password: admin.oneTimePassword, address: "127.0.0.1", on: db)
            }
            #expect(signedIn?.id == admin.account.id)
            let second = try await Bootstrap.prepare(database, mintAdminKey: true, createConsoleAdmin: true, staff: settings,
                                                     logger: TestDatabase.logger)
            #expect(second.consoleAdmin == nil && second.adminKey == nil)
            #expect(try await database.withConnection { db in try await store.count(on: db) } == 1)
        }
    }

    @Test func mintsNothingWhenDisabled() async throws {
        try await TestDatabase.with(migrate: false) { database in
            let minted = try await Bootstrap.prepare(database, mintAdminKey: false, logger: TestDatabase.logger)
            let count = try await database.withConnection { db in try await APIKeyStore().count(on: db) }
            #expect(minted.adminKey == nil)
            #expect(count == 0)
        }
    }
}
