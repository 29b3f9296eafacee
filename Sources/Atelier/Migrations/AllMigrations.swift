import AtelierCore
import AtelierAssets
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import AtelierDelivery
import AtelierInsights
import AtelierPrivacy
import AtelierAccess
/// Every migration, in the order it is applied. Append only.
public enum AllMigrations {
    public static let list: [any Migration] = [
        CreateAPIKeys(),
        CreateCatalog(),
        CreateJobs(),
        CreateCustomization(),
        CreateCarts(),
        CreateOrders(),
        AddPaymentResolutions(),
        CreateWebhooks(),
        CreateReports(),
        AddIdempotencySubjects(),
        MinimizePaymentEventPayloads(),
        CreateCheckoutAudit(),
        CreateRefunds(),
        AddCheckoutPaymentChecks(),
        AddPendingDeliveryOrderIndex(),
        CreateStaff(),
        AddOrderDueIndex(),
        AddTraceParents(),
        CreateCatalogMedia(),
    ]
}

extension Migrator {
    /// The migrator of this version of Atelier: every migration it knows, in order.
    public init() { self.init(migrations: AllMigrations.list) }
}
