import Foundation
import Mustache
import NIOCore

/// The console's Mustache templates and stylesheet, read once from the package's resources. Every page is a
/// template that opens with the `header` partial and closes with the `footer` one; values are HTML-escaped.
struct ConsoleTemplates: Sendable {
    let library: MustacheLibrary
    let stylesheet: ByteBuffer
    /// The stylesheet's ETag: its digest, so a changed file is fetched again.
    let stylesheetETag: String

    static func load() throws -> ConsoleTemplates {
        guard let base = Bundle.module.resourceURL else { throw ContractError("the console's resources are missing") }
        var library = MustacheLibrary()
        let folder = base.appendingPathComponent("Templates")
        // Every `*.mustache` of the folder, named after its file.
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".mustache") }
        for file in names.sorted() {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            try library.register(text, named: String(file.dropLast(".mustache".count)))
        }
        let css = try Data(contentsOf: base.appendingPathComponent("Static/console.css"))
        return ConsoleTemplates(library: library, stylesheet: ByteBuffer(bytes: css), stylesheetETag: ResponseCache.strongETag(of: css))
    }

    func render(_ name: String, _ values: [String: Any]) -> String {
        library.render(values, withTemplate: name) ?? ""
    }
}
