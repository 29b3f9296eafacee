import Atelier
import Crypto
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// Notices catalog changes made through other nodes by reading the revision every `interval`.
struct CatalogRevisionPoller: Service {
    let database: any DatabaseClient
    let cache: ResponseCache
    let interval: Duration
    let logger: Logger

    func run() async throws {
        // Ends quietly on shutdown: a service that throws makes the whole process exit with an error.
        await cancelWhenGracefulShutdown {
            // The first refresh happens once migrations have run, before the server starts.
            while !Task.isCancelled {
                guard (try? await Task.sleep(for: interval)) != nil else { return }
                await refresh(cache, from: database, logger: logger)
            }
        }
    }
}

func refresh(_ cache: ResponseCache, from database: any DatabaseClient, logger: Logger) async {
    do {
        let revision = try await database.withConnection { db in try await CatalogRevision.current(on: db) }
        cache.observe(revision)
    } catch {
        logger.warning("could not read the catalog revision", metadata: ["error": .string(String(reflecting: error))])
    }
}
