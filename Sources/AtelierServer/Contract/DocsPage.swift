import Atelier
import Foundation

/// A self-contained HTML reference generated from the OpenAPI document: no scripts, no external assets.
enum DocsPage {
    static func render(_ document: [String: Any]) -> String {
        let info = document["info"] as? [String: Any] ?? [:]
        let title = info["title"] as? String ?? "API"
        let paths = document["paths"] as? [String: Any] ?? [:]
        let components = document["components"] as? [String: Any] ?? [:]
        let schemas = components["schemas"] as? [String: Any] ?? [:]
        let tagOrder = (document["tags"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }

        var operationsByTag: [String: [(path: String, method: String, op: [String: Any])]] = [:]
        for path in paths.keys.sorted() {
            guard let item = paths[path] as? [String: Any] else { continue }
            for method in ["get", "post", "put", "patch", "delete"] {
                guard let op = item[method] as? [String: Any] else { continue }
                let tag = (op["tags"] as? [String])?.first ?? "Other"
                operationsByTag[tag, default: []].append((path, method, op))
            }
        }
        let tags = tagOrder.filter { operationsByTag[$0] != nil } + operationsByTag.keys.filter { !tagOrder.contains($0) }.sorted()

        var html = """
            <!doctype html><html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(XMLText.escape(title)) reference</title>
            <style>
            body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f}
            code,pre{font:13px ui-monospace,monospace;background:#f4f4f6;padding:.1rem .3rem;border-radius:3px}
            pre{padding:.6rem;overflow:auto;white-space:pre-wrap}
            .op{border:1px solid #ddd;border-radius:6px;margin:1rem 0;padding:.6rem 1rem}
            .m{font-weight:700;text-transform:uppercase;margin-right:.5rem}
            .get{color:#0a6}.post{color:#06c}.put,.patch{color:#a60}.delete{color:#c03}
            table{border-collapse:collapse;margin:.4rem 0}td,th{border-bottom:1px solid #eee;padding:.2rem .6rem;text-align:left;vertical-align:top}
            .roles{color:#555;font-size:13px}
            </style></head><body>
            <h1>\(XMLText.escape(title)) <small>\(XMLText.escape(info["version"] as? String ?? ""))</small></h1>
            <p>The machine-readable contract: <a href="/openapi.json">/openapi.json</a> · <a href="/openapi.yaml">/openapi.yaml</a></p>
            <pre>\(XMLText.escape(info["description"] as? String ?? ""))</pre>
            <nav><ul>
            """
        for tag in tags { html += "<li><a href=\"#tag-\(anchor(tag))\">\(XMLText.escape(tag))</a></li>" }
        html += "<li><a href=\"#schemas\">Schemas</a></li></ul></nav>"

        for tag in tags {
            html += "<h2 id=\"tag-\(anchor(tag))\">\(XMLText.escape(tag))</h2>"
            for (path, method, op) in operationsByTag[tag] ?? [] {
                html += "<section class=\"op\" id=\"\(XMLText.escape(op["operationId"] as? String ?? ""))\">"
                html += "<div><span class=\"m \(method)\">\(method)</span><code>\(XMLText.escape(path))</code> — \(XMLText.escape(op["summary"] as? String ?? ""))</div>"
                if let security = op["security"] as? [[String: [String]]] {
                    let roles = security.flatMap { $0.values.flatMap { $0 } }
                    html += "<div class=\"roles\">API key roles: \(XMLText.escape(roles.joined(separator: ", ")))</div>"
                } else {
                    html += "<div class=\"roles\">Public</div>"
                }
                if let description = op["description"] as? String { html += "<p>\(XMLText.escape(description))</p>" }
                let parameters = (op["parameters"] as? [[String: Any]] ?? []) + ((paths[path] as? [String: Any])?["parameters"] as? [[String: Any]] ?? [])
                if !parameters.isEmpty {
                    html += "<table><tr><th>parameter</th><th>in</th><th>schema</th><th></th></tr>"
                    for parameter in parameters.map({ resolve($0, in: document) }) {
                        html += "<tr><td><code>\(XMLText.escape(parameter["name"] as? String ?? ""))</code></td><td>\(XMLText.escape(parameter["in"] as? String ?? ""))</td>"
                        html += "<td>\(schemaSummary(parameter["schema"]))</td><td>\(XMLText.escape(parameter["description"] as? String ?? ""))</td></tr>"
                    }
                    html += "</table>"
                }
                if let body = op["requestBody"] as? [String: Any], let content = body["content"] as? [String: Any] {
                    for (type, media) in content {
                        html += "<div>Body <code>\(XMLText.escape(type))</code>: \(schemaSummary((media as? [String: Any])?["schema"]))</div>"
                    }
                }
                html += "<table><tr><th>status</th><th>answer</th></tr>"
                let responses = op["responses"] as? [String: Any] ?? [:]
                for status in responses.keys.sorted() {
                    let response = resolve(responses[status] as? [String: Any] ?? [:], in: document)
                    var schemas: [String] = []
                    for (type, media) in response["content"] as? [String: Any] ?? [:] {
                        schemas.append("<code>\(XMLText.escape(type))</code> \(schemaSummary((media as? [String: Any])?["schema"]))")
                    }
                    html += "<tr><td>\(XMLText.escape(status))</td><td>\(XMLText.escape(response["description"] as? String ?? "")) \(schemas.joined(separator: " "))</td></tr>"
                }
                html += "</table></section>"
            }
        }

        html += "<h2 id=\"schemas\">Schemas</h2>"
        for name in schemas.keys.sorted() {
            let schema = schemas[name] as? [String: Any] ?? [:]
            html += "<section class=\"op\" id=\"schema-\(anchor(name))\"><h3>\(XMLText.escape(name))</h3>"
            if let description = schema["description"] as? String { html += "<p>\(XMLText.escape(description))</p>" }
            if let values = schema["enum"] as? [Any] {
                html += "<p>One of: \(values.map { "<code>\(XMLText.escape("\($0)"))</code>" }.joined(separator: " "))</p>"
            }
            if let properties = schema["properties"] as? [String: Any] {
                let required = Set(schema["required"] as? [String] ?? [])
                html += "<table><tr><th>field</th><th>schema</th><th></th></tr>"
                for key in properties.keys.sorted() {
                    let property = properties[key] as? [String: Any] ?? [:]
                    html += "<tr><td><code>\(XMLText.escape(key))</code>\(required.contains(key) ? " *" : "")</td>"
                    html += "<td>\(schemaSummary(property))</td><td>\(XMLText.escape(property["description"] as? String ?? ""))</td></tr>"
                }
                html += "</table>"
            }
            html += "</section>"
        }
        html += "</body></html>"
        return html
    }

    private static func resolve(_ object: [String: Any], in document: [String: Any]) -> [String: Any] {
        guard let ref = object["$ref"] as? String, ref.hasPrefix("#/") else { return object }
        var current: Any = document
        for part in ref.dropFirst(2).split(separator: "/") {
            guard let next = (current as? [String: Any])?[String(part)] else { return object }
            current = next
        }
        return current as? [String: Any] ?? object
    }

    private static func schemaSummary(_ value: Any?) -> String {
        guard let schema = value as? [String: Any] else { return "" }
        if let ref = schema["$ref"] as? String, let name = ref.split(separator: "/").last {
            return "<a href=\"#schema-\(anchor(String(name)))\">\(XMLText.escape(String(name)))</a>"
        }
        var text = XMLText.escape(schema["type"] as? String ?? "")
        if text == "array" { text = "array of " + schemaSummary(schema["items"]) }
        var limits: [String] = []
        for key in ["format", "minimum", "maximum", "minLength", "maxLength", "default"] {
            if let limit = schema[key] { limits.append("\(key) \(limit)") }
        }
        if !limits.isEmpty { text += " (\(XMLText.escape(limits.joined(separator: ", "))))" }
        return text
    }

    private static func anchor(_ value: String) -> String {
        String(value.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" })
    }
}
