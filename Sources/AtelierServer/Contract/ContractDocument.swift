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

struct ContractError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Writes a YAML node as JSON, keeping the order of mapping keys so the JSON reads like the YAML.
enum JSONFromYAML {
    static func write(_ node: Node, into out: inout String) throws {
        switch node {
        case .mapping(let mapping):
            out += "{"
            var first = true
            for (key, value) in mapping {
                guard let name = key.string else { throw ContractError("a mapping key is not a string") }
                if !first { out += "," }
                first = false
                JSONText.appendString(name, to: &out)
                out += ":"
                try write(value, into: &out)
            }
            out += "}"
        case .sequence(let sequence):
            out += "["
            for (index, element) in sequence.enumerated() {
                if index > 0 { out += "," }
                try write(element, into: &out)
            }
            out += "]"
        case .scalar(let scalar):
            // A quoted or block scalar is always a string; only plain scalars resolve to other types.
            if scalar.style == .plain || scalar.style == .any {
                switch node.tag.rawValue {
                case Tag.Name.null.rawValue: out += "null"; return
                case Tag.Name.bool.rawValue: out += node.bool == true ? "true" : "false"; return
                case Tag.Name.int.rawValue: if let value = node.int { out += String(value); return }
                case Tag.Name.float.rawValue: if let value = node.float, value.isFinite { out += String(value); return }
                default: break
                }
            }
            JSONText.appendString(scalar.string, to: &out)
        case .alias:
            throw ContractError("YAML aliases are not used in the contract")
        }
    }
}

enum JSONText {
    /// Appends `value` as a JSON string literal.
    static func appendString(_ value: String, to out: inout String) {
        out += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029:
                out += String(format: "\\u%04x", scalar.value)
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
