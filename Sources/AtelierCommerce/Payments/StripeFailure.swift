import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AsyncHTTPClient
import Foundation

struct StripeFailure: Decodable {
    struct Detail: Decodable {
        var type: String?
        var code: String?
        var message: String?
    }
    var error: Detail
}
