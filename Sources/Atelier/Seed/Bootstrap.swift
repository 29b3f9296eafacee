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
/// no API key at all, mint the first admin key so that a newcomer can call the admin API at once.
public enum Bootstrap {
    public static let adminKeyName = "bootstrap admin"

    /// Returns the bootstrap key when one was created; its token exists nowhere else.
    public static func prepare(
        _ database: any DatabaseClient,
        mintAdminKey: Bool,
        seedDemoCatalog: Bool = false,
        shopCurrency: String = "USD",
        clock: WallClock = .system,
        logger: Logger
    ) async throws -> IssuedAPIKey? {
        try await Migrator().migrate(database, logger: logger, clock: clock)
        guard mintAdminKey || seedDemoCatalog else { return nil }
        let backend = database.backend
        let store = APIKeyStore(clock: clock)
        return try await database.transaction { db in
            if backend == .postgres {
                // Two servers starting on one empty database must not both mint a key or seed twice.
                try await db.raw("SELECT pg_advisory_xact_lock(\(literal: MigrationLock.key))").run()
            }
            if seedDemoCatalog, try await DemoCatalog.loadOnFirstStart(currency: shopCurrency, clock: clock, on: db) {
                logger.notice("loaded the demo catalog into the new database")
            }
            guard mintAdminKey, try await store.count(on: db) == 0 else { return nil }
            return try await store.create(name: adminKeyName, role: .admin, on: db)
        }
    }
}
