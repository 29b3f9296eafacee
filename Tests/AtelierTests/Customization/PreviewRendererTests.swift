@testable import Atelier
@testable import AtelierCore
@testable import AtelierAssets
@testable import AtelierCatalog
@testable import AtelierCustomization
@testable import AtelierCommerce
@testable import AtelierDelivery
@testable import AtelierInsights
@testable import AtelierPrivacy
@testable import AtelierAccess
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

@Suite struct PreviewRendererTests {
    @Test func aZoneValueCannotInjectMarkup() throws {
        let hostile = #"</tspan></text><script>alert("x")</script><text>"#
        let state = CustomizationState(zones: [
            "name": .init(text: .init(text: hostile, font: #"Inter" onload="alert(1)"#, colour: #"#000" onload="x"#)),
            "ribbon": .init(colour: "red"),
            "photo": .init(image: #"ast_"><script>"#),
            "contents": .init(components: ["candle", "tea"]),
        ])
        let (svg, width, height) = PreviewRenderer.svg(template: Fixtures.template, state: state) { "/assets/\($0)" }
        #expect(width == 1000 && height == 800)
        #expect(!svg.contains("<script"))
        #expect(!svg.contains("onload"))
        #expect(svg.contains("&lt;/tspan&gt;&lt;/text&gt;&lt;script&gt;"))
        #expect(svg.contains("fill=\"#ff0000\""))
        #expect(svg.contains("Candle"))
        // Well-formed XML with exactly the elements the renderer writes.
        final class Collector: NSObject, XMLParserDelegate {
            var elements: [String] = []
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
                elements.append(name)
            }
        }
        let parser = XMLParser(data: Data(svg.utf8))
        let collector = Collector()
        parser.delegate = collector
        #expect(parser.parse())
        #expect(Set(collector.elements).isSubset(of: ["svg", "g", "rect", "image", "text", "tspan"]))
    }
}
