import Atelier
import Foundation

/// An order line as the console shows it: the variant chosen, the add-ons, every zone's customization (text with
/// its font and colour, uploaded images as thumbnails linking to the original, swatches, components), the
/// preview image and the template version it was made against.
enum ConsoleLineView {
    static func values(_ line: CheckoutSnapshot.Line, currency: String) -> [String: Any] {
        let variant = line.state.selection.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
        let addOns = line.state.options.sorted { $0.key < $1.key }.filter { !$0.value.isEmpty }
            .map { "\($0.key): \($0.value.joined(separator: ", "))" }.joined(separator: "; ")
        let zones: [[String: Any]] = line.state.zones.sorted { $0.key < $1.key }.compactMap { zone, value in
            guard !value.isEmpty else { return nil }
            var entry: [String: Any] = ["zone": zone]
            if let text = value.text {
                entry["text"] = text.text
                entry["font"] = text.font as Any
                entry["textColour"] = text.colour as Any
            }
            if let image = value.image { entry["image"] = "/assets/\(image)" }
            if let colour = value.colour { entry["swatch"] = colour }
            if let components = value.components, !components.isEmpty { entry["components"] = components.joined(separator: ", ") }
            return entry
        }
        return [
            "name": line.productName, "sku": line.sku ?? "", "quantity": line.quantity,
            "amount": ConsoleOrders.money(line.amount, currency), "unit": ConsoleOrders.money(line.unit.total, currency),
            "template": line.templateVersion.map { "version \($0)" } ?? "none", "shipBy": line.shipDate,
            "variant": variant.isEmpty ? "none" : variant, "addOns": addOns.isEmpty ? "none" : addOns,
            "zones": zones, "hasZones": !zones.isEmpty, "preview": line.previewAssetId.map { "/assets/\($0)" } as Any,
        ]
    }
}
