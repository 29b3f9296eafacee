import ArgumentParser
import Atelier
import AtelierServer
import Foundation
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

struct SeedDemo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed-demo",
        abstract: "Load the demo catalog (products are matched by slug, so running it again refreshes them)."
    )

    func run() async throws {
        let outcome = try await withDatabase { database, configuration in
            try await database.transaction { db in
                try await DemoCatalog.load(currency: configuration.catalog.shopCurrency, on: db)
            }
        }
        print("Demo catalog: \(outcome.created.count) product(s) created, \(outcome.updated.count) updated, \(outcome.templatesPublished) template version(s) published.")
    }
}
