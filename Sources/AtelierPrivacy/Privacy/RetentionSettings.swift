/// How long what nobody needs any more is kept. Carts and customization sessions are deleted when they
/// expire (`ATELIER_CART_TTL_SECONDS`, `ATELIER_SESSION_TTL_SECONDS`) by the sessions job.
import AtelierCore
import AtelierAssets
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import AtelierDelivery
public struct RetentionSettings: Sendable, Equatable {
    /// Expired or cancelled checkouts that never became an order (their sealed contact data included), and
    /// the stored answers of checkout requests.
    public var checkoutDays = 30
    /// Uploads and previews no order, cart, session or open checkout uses: hours, so that anonymous
    /// uploads nobody went on to use do not pile up.
    public var assetHours = 6
    /// `.eml` copies of sent emails.
    public var mailDays = 90

    public init() {}
}
