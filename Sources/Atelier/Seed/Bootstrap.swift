import AtelierCore
import AtelierAssets
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import AtelierDelivery
import AtelierInsights
import AtelierPrivacy
import AtelierAccess
import Logging
import SQLKit


/// What a server does before it takes traffic: bring the schema up to date and, on a database that has
/// no API key at all, mint the first admin key so that a newcomer can call the admin API at once; on a database
/// with no staff account, create the console's first admin with a one-time password.
public enum Bootstrap {
    public static let adminKeyName = "bootstrap admin"
    public static let consoleAdminEmail = "admin@localhost"
    public static let consoleAdminName = "Administrator"

    /// Returns the credentials created; their secrets exist nowhere else.
    public static func prepare(
        _ database: any DatabaseClient,
        mintAdminKey: Bool,
        createConsoleAdmin: Bool = false,
        staff: StaffSettings = StaffSettings(),
        seedDemoCatalog: Bool = false,
        shopCurrency: String = "USD",
        clock: WallClock = .system,
        logger: Logger
    ) async throws -> BootstrapOutcome {
        try await Migrator().migrate(database, logger: logger, clock: clock)
        guard mintAdminKey || createConsoleAdmin || seedDemoCatalog else { return BootstrapOutcome() }
        let backend = database.backend
        let keys = APIKeyStore(clock: clock)
        let accounts = StaffStore(settings: staff, clock: clock)
        return try await database.transaction { db in
            if backend == .postgres {
                // Two servers starting on one empty database must not both mint a key or seed twice.
                try await db.raw("SELECT pg_advisory_xact_lock(\(literal: MigrationLock.key))").run()
            }
            if seedDemoCatalog, try await DemoCatalog.loadOnFirstStart(currency: shopCurrency, clock: clock, on: db) {
                logger.notice("loaded the demo catalog into the new database")
            }
            var outcome = BootstrapOutcome()
            if mintAdminKey, try await keys.count(on: db) == 0 {
                outcome.adminKey = try await keys.create(name: adminKeyName, role: .admin, on: db)
            }
            if createConsoleAdmin, try await accounts.count(on: db) == 0 {
                outcome.consoleAdmin = try await accounts.create(email: consoleAdminEmail, displayName: consoleAdminName,
                                                                 role: .admin, on: db)
            }
            return outcome
        }
    }
}
