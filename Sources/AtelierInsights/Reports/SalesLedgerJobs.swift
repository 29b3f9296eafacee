/// Folds the sales ledger into the daily aggregate; queued every minute.
import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
public enum SalesLedgerJobs {
    public static let kind = "reports.fold"

    public static func handler(database: any DatabaseClient, ledger: SalesLedger) -> JobHandler {
        JobHandler(kind: kind) { _ in
            var folded = 0
            while true {
                let count = try await database.transaction { db in try await ledger.fold(on: db) }
                folded += count
                if count < SalesLedger.foldBatch { break }
            }
            return "folded \(folded) report entr\(folded == 1 ? "y" : "ies")"
        }
    }
}
