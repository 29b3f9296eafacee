import Atelier
import Foundation

/// A template view drawn as inline SVG: the view's image (when this server serves it) and each zone's rectangle
/// at its geometry, rotated about its centre, labelled with its code and kind, so a designer sees where shoppers'
/// texts and images will go. Kinds differ by dash pattern and label as well as colour.
enum TemplateOverlay {
    static func svg(view: TemplateDefinition.View, zones: [(index: Int, zone: TemplateDefinition.Zone)], invalid: Set<Int>) -> String {
        let (width, height) = (max(1, view.width), max(1, view.height))
        let id = "view-" + view.code.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
        let stroke = max(2, min(width, height) / 200)
        let fontSize = max(12, min(width, height) / 28)
        var parts: [String] = []
        let zoneWords = zones.count == 1 ? "1 zone" : "\(zones.count) zones"
        parts.append("""
            <svg xmlns="http://www.w3.org/2000/svg" class="overlay" id="\(id)" viewBox="0 0 \(width) \(height)" role="img" \
            aria-labelledby="\(id)-title \(id)-desc" data-view="\(XMLText.escape(view.code))">
            <title id="\(id)-title">View \(XMLText.escape(view.name)) (\(width) × \(height)) with \(zoneWords)</title>
            <desc id="\(id)-desc">\(XMLText.escape(zones.map { describe($0.zone) }.joined(separator: "; ")))</desc>
            """)
        if let url = view.imageUrl, ConsoleProducts.isOwnImage(url) {
            parts.append("<image href=\"\(XMLText.escape(url))\" x=\"0\" y=\"0\" width=\"\(width)\" height=\"\(height)\" preserveAspectRatio=\"none\"/>")
        }
        parts.append("<rect x=\"0\" y=\"0\" width=\"\(width)\" height=\"\(height)\" fill=\"none\" stroke=\"#4a4a4f\" stroke-width=\"\(stroke)\"/>")
        for (index, zone) in zones {
            let g = zone.geometry
            let (cx, cy) = (Double(g.x) + Double(g.width) / 2, Double(g.y) + Double(g.height) / 2)
            let dash = switch zone.kind {
            case .text: "none"
            case .image: "\(stroke * 4) \(stroke * 2)"
            case .colour: "\(stroke) \(stroke * 2)"
            case .components: "\(stroke * 6) \(stroke * 2) \(stroke) \(stroke * 2)"
            }
            let colour = invalid.contains(index) ? "#a4161a" : "#0b57d0"
            parts.append("""
                <g class="zone" data-zone="\(XMLText.escape(zone.code))" data-kind="\(zone.kind.rawValue)" transform="rotate(\(g.rotation) \(format(cx)) \(format(cy)))">\
                <rect x="\(g.x)" y="\(g.y)" width="\(g.width)" height="\(g.height)" fill="#ffffff" fill-opacity="0.25" stroke="\(colour)" \
                stroke-width="\(stroke)" stroke-dasharray="\(dash)"/>\
                <text x="\(g.x + stroke * 2)" y="\(g.y + fontSize + stroke)" font-size="\(fontSize)" font-family="sans-serif" fill="#1d1d1f" \
                stroke="#ffffff" stroke-width="\(max(2, fontSize / 6))" paint-order="stroke">\(XMLText.escape(zone.code)) (\(zone.kind.rawValue))\(invalid.contains(index) ? " — error" : "")</text></g>
                """)
        }
        parts.append("</svg>")
        return parts.joined(separator: "\n")
    }

    /// A zone in words, for the chart's description and the zone list.
    static func describe(_ zone: TemplateDefinition.Zone) -> String {
        let g = zone.geometry
        let rotation = g.rotation == 0 ? "" : ", rotated \(g.rotation)°"
        return "\(zone.name) (\(zone.kind.rawValue)) at x \(g.x), y \(g.y), \(g.width) × \(g.height)\(rotation)"
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }
}
