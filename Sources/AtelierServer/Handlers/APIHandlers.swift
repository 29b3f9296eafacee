import Atelier
import AtelierAPI
import Logging
import OpenAPIRuntime
import Prometheus

/// Implements the operations of the contract. One extension per tag; each handler decodes, calls one
/// domain function with the database, and maps the result. The stores and domain services come built from
/// `services`; what is here besides is the HTTP side's own.
struct APIHandlers: APIProtocol {
    /// Every store and domain service, built once by `AtelierApp.build`.
    let services: AppServices
    let registry: PrometheusCollectorRegistry
    /// Turns unready on SIGTERM, while the node drains.
    let readiness: Readiness
    /// When each pending checkout's payment was last looked up at its provider for `GET /checkout`.
    let paymentLookups = PaymentLookupThrottle()

    // Shorthands for the inputs the services were built with.
    var database: any DatabaseClient { services.database }
    var configuration: AtelierConfiguration { services.configuration }
    var clock: WallClock { services.clock }
    var cipher: PersonalDataCipher { services.cipher }

    /// The key that authenticated this call; the edge guarantees one on every secured operation.
    func caller() throws -> APIKey {
        guard let key = RequestScope.current?.apiKey else { throw AtelierError.unauthorized }
        return key
    }
}
