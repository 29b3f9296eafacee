import AtelierAPI
import Foundation
import Yams

/// The OpenAPI document in the forms the API serves it, prepared once at start.
struct ContractDocument: Sendable {
    let yaml: String
    let json: String
    let docsHTML: String
    let routes: RouteTable

    static func load() throws -> ContractDocument {
        let yaml = try OpenAPIDocument.yaml()
        guard let node = try Yams.compose(yaml: yaml) else { throw ContractError("the OpenAPI document is empty") }
        var json = ""
        try JSONFromYAML.write(node, into: &json)
        guard let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
            throw ContractError("the OpenAPI document is not an object")
        }
        let routes = try RouteTable(document: object, extraRoutes: [
            .init(method: .get, template: "/openapi.json"),
            .init(method: .get, template: "/openapi.yaml"),
            .init(method: .get, template: "/docs"),
        ])
        return ContractDocument(yaml: yaml, json: json, docsHTML: DocsPage.render(object), routes: routes)
    }
}
