import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Foundation
import Logging
import SQLKit
import ServiceLifecycle

/// The periodic job that asks providers about payments their webhooks did not report.
public enum PaymentReconciliationJobs {
    public static let kind = "payments.reconcile"

    public static func handler(reconciliation: PaymentReconciliation, logger: Logger = Logger(label: "atelier.payments")) -> JobHandler {
        // A provider that is away fails no job: the next round asks again.
        JobHandler(kind: kind) { _ in try await reconciliation.run(logger: logger).summary }
    }
}
