import Atelier
import AtelierAPI
import Logging
import OpenAPIRuntime
import Prometheus

/// Implements the operations of the contract. One extension per tag; each handler decodes, calls one
/// domain function with the database, and maps the result.
struct APIHandlers: APIProtocol {
    let database: any DatabaseClient
    let configuration: AtelierConfiguration
    let clock: WallClock
    let registry: PrometheusCollectorRegistry
    let assetStorage: any AssetStorage
    /// Products and template versions kept between requests while the catalog revision holds.
    let memo: CatalogMemo
    /// Seals and opens customer personal data.
    let cipher: PersonalDataCipher
    /// The configured payment providers' API clients.
    let gateways: PaymentGateways
    /// When each pending checkout's payment was last looked up at its provider for `GET /checkout`.
    let paymentLookups = PaymentLookupThrottle()

    var checkoutPayments: CheckoutPayments { CheckoutPayments(database: database, gateways: gateways, clock: clock) }

    var apiKeys: APIKeyStore { APIKeyStore(clock: clock) }

    /// The key that authenticated this call; the edge guarantees one on every secured operation.
    func caller() throws -> APIKey {
        guard let key = RequestScope.current?.apiKey else { throw AtelierError.unauthorized }
        return key
    }
}
