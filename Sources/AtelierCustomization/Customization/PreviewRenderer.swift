/// Renders the customized product as one SVG: every view side by side, each zone applied on its view.
/// Every value from a shopper is escaped, so a zone value can never add markup to the document.
import AtelierCore
import AtelierAssets
import AtelierCatalog
public enum PreviewRenderer {
    public static let gap = 40

    public static func svg(template: TemplateDefinition, state: CustomizationState, assetURL: (String) -> String) -> (svg: String, width: Int, height: Int) {
        let width = template.views.reduce(0) { $0 + $1.width } + gap * max(0, template.views.count - 1)
        let height = template.views.map(\.height).max() ?? 1
        var out = ##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" "##
        out += ##"width="\##(width)" height="\##(height)" viewBox="0 0 \##(width) \##(height)">"##
        var x = 0
        for view in template.views {
            out += ##"<g id="view-\##(XMLText.escape(view.code))" transform="translate(\##(x) 0)">"##
            out += ##"<rect width="\##(view.width)" height="\##(view.height)" fill="#f4f4f4" stroke="#cccccc"/>"##
            if let image = view.imageUrl {
                out += ##"<image href="\##(XMLText.escape(image))" width="\##(view.width)" height="\##(view.height)" preserveAspectRatio="xMidYMid meet"/>"##
            }
            for zone in template.zones where zone.view == view.code {
                guard let value = state.zones[zone.code], !value.isEmpty else { continue }
                out += zoneMarkup(zone, value, assetURL: assetURL)
            }
            out += "</g>"
            x += view.width + gap
        }
        out += "</svg>"
        return (out, max(width, 1), max(height, 1))
    }

    static func zoneMarkup(_ zone: TemplateDefinition.Zone, _ value: CustomizationState.ZoneValue, assetURL: (String) -> String) -> String {
        let g = zone.geometry
        let cx = Double(g.x) + Double(g.width) / 2, cy = Double(g.y) + Double(g.height) / 2
        var out = ##"<g id="zone-\##(XMLText.escape(zone.code))" transform="rotate(\##(g.rotation) \##(cx) \##(cy))">"##
        switch zone.kind {
        case .text:
            guard let text = value.text, let rules = zone.text else { break }
            let font = text.font.flatMap { rules.fonts.contains($0) ? $0 : nil } ?? rules.fonts.first ?? "Inter"
            let colour = text.colour.flatMap { TemplateDefinition.isHexColour($0) ? $0 : nil } ?? rules.colours.first ?? "##000000"
            let lines = text.text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
            let size = max(8, g.height / max(1, lines.count) * 7 / 10)
            out += ##"<text font-family="\##(XMLText.escape(font))" font-size="\##(size)" fill="\##(XMLText.escape(colour))" text-anchor="middle">"##
            for (index, line) in lines.enumerated() {
                let y = g.y + (g.height * (2 * index + 1)) / (2 * lines.count) + size / 3
                out += ##"<tspan x="\##(Int(cx))" y="\##(y)">\##(XMLText.escape(String(line)))</tspan>"##
            }
            out += "</text>"
        case .image:
            guard let id = value.image else { break }
            // The frame shows where the image goes even where the image itself cannot be loaded.
            out += ##"<rect x="\##(g.x)" y="\##(g.y)" width="\##(g.width)" height="\##(g.height)" fill="none" stroke="#888888"/>"##
            out += ##"<image href="\##(XMLText.escape(assetURL(id)))" x="\##(g.x)" y="\##(g.y)" width="\##(g.width)" height="\##(g.height)" preserveAspectRatio="xMidYMid meet"/>"##
        case .colour:
            guard let code = value.colour, let swatch = zone.colour?.palette.first(where: { $0.code == code }) else { break }
            out += ##"<rect x="\##(g.x)" y="\##(g.y)" width="\##(g.width)" height="\##(g.height)" fill="\##(XMLText.escape(swatch.hex))"/>"##
        case .components:
            guard let chosen = value.components, let rules = zone.components else { break }
            let names = chosen.compactMap { code in rules.items.first { $0.code == code }?.name }
            out += ##"<rect x="\##(g.x)" y="\##(g.y)" width="\##(g.width)" height="\##(g.height)" fill="none" stroke="#888888" stroke-dasharray="8 4"/>"##
            let size = max(8, min(32, g.height / max(1, names.count + 1)))
            for (index, name) in names.enumerated() {
                out += ##"<text x="\##(g.x + 10)" y="\##(g.y + size * (index + 1))" font-family="Inter" font-size="\##(size)">\##(XMLText.escape(name))</text>"##
            }
        }
        return out + "</g>"
    }
}
