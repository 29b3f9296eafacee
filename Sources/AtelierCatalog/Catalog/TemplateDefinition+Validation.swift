/// Checks that a template is consistent in itself before it is published.
import AtelierCore
extension TemplateDefinition {
    public static let maxViews = 10
    public static let maxZones = 30
    public static let maxCanvas = 20_000
    public static let maxTextLength = 500
    public static let maxPaletteSize = 64
    public static let maxComponentItems = 100
    public static let maxImageBytes = 50 * 1_048_576

    public func problems(currencyAmountLimit: Int64 = Money.maxCatalogAmount, at root: String = "") -> [AtelierError.FieldError] {
        var problems = ValidationErrors()
        if views.isEmpty { problems.add(root + "/views", .required, "a template needs at least one view.") }
        if views.count > Self.maxViews { problems.add(root + "/views", .tooMany, "at most \(Self.maxViews) views.") }
        FieldRules.checkUnique(views.map(\.code), at: { root + "/views/\($0)/code" }, into: &problems)
        for (index, view) in views.enumerated() {
            let at = root + "/views/\(index)"
            FieldRules.checkCode(view.code, at: at + "/code", into: &problems)
            FieldRules.checkName(view.name, at: at + "/name", into: &problems)
            if !(1...Self.maxCanvas).contains(view.width) { problems.add(at + "/width", .outOfRange, "must be 1–\(Self.maxCanvas).") }
            if !(1...Self.maxCanvas).contains(view.height) { problems.add(at + "/height", .outOfRange, "must be 1–\(Self.maxCanvas).") }
            if let url = view.imageUrl { FieldRules.checkURL(url, at: at + "/imageUrl", into: &problems) }
        }
        if zones.count > Self.maxZones { problems.add(root + "/zones", .tooMany, "at most \(Self.maxZones) zones.") }
        FieldRules.checkUnique(zones.map(\.code), at: { root + "/zones/\($0)/code" }, into: &problems)
        for (index, zone) in zones.enumerated() {
            check(zone, at: root + "/zones/\(index)", into: &problems)
        }
        return problems.errors
    }

    private func check(_ zone: Zone, at: String, into problems: inout ValidationErrors) {
        FieldRules.checkCode(zone.code, at: at + "/code", into: &problems)
        FieldRules.checkName(zone.name, at: at + "/name", into: &problems)
        FieldRules.checkAmount(zone.surcharge, at: at + "/surcharge/amount", into: &problems)
        let g = zone.geometry
        if g.width <= 0 || g.height <= 0 {
            problems.add(at + "/geometry", .invalidGeometry, "width and height must be positive.")
        }
        if !(-180...180).contains(g.rotation) {
            problems.add(at + "/geometry/rotation", .outOfRange, "must be between -180 and 180 degrees.")
        }
        if let view = views.first(where: { $0.code == zone.view }) {
            if g.width > 0, g.height > 0, g.x < 0 || g.y < 0 || g.x + g.width > view.width || g.y + g.height > view.height {
                problems.add(at + "/geometry", .zoneOutsideView,
                             "the zone's box must lie within the \(view.width)×\(view.height) view '\(view.code)'.")
            }
        } else {
            problems.add(at + "/view", .unknownView, "no view '\(zone.view)' in this template.")
        }

        // Exactly the rules object of the zone's kind.
        let present: [Kind: Bool] = [.text: zone.text != nil, .image: zone.image != nil, .colour: zone.colour != nil, .components: zone.components != nil]
        for (kind, isPresent) in present where isPresent != (kind == zone.kind) {
            if isPresent {
                problems.add(at + "/\(kind.rawValue)", .unexpectedRules, "a \(zone.kind.rawValue) zone takes no \(kind.rawValue) rules.")
            } else {
                problems.add(at + "/\(kind.rawValue)", .required, "a \(kind.rawValue) zone needs its \(kind.rawValue) rules.")
            }
        }
        if let text = zone.text { check(text, at: at + "/text", into: &problems) }
        if let image = zone.image { check(image, at: at + "/image", into: &problems) }
        if let colour = zone.colour { check(colour, at: at + "/colour", into: &problems) }
        if let components = zone.components { check(components, at: at + "/components", into: &problems) }
    }

    private func check(_ text: TextRules, at: String, into problems: inout ValidationErrors) {
        if text.minLength < 0 { problems.add(at + "/minLength", .outOfRange, "must not be negative.") }
        if !(1...Self.maxTextLength).contains(text.maxLength) {
            problems.add(at + "/maxLength", .outOfRange, "must be 1–\(Self.maxTextLength).")
        }
        if text.minLength > text.maxLength {
            problems.add(at + "/minLength", .minExceedsMax, "minLength (\(text.minLength)) is greater than maxLength (\(text.maxLength)).")
        }
        if !(1...20).contains(text.maxLines) { problems.add(at + "/maxLines", .outOfRange, "must be 1–20.") }
        if text.fonts.isEmpty { problems.add(at + "/fonts", .required, "offer at least one font.") }
        for (index, font) in text.fonts.enumerated() where !FontCatalog.families.contains(font) {
            problems.add(at + "/fonts/\(index)", .unknownFont, "'\(font)' is not a known font (\(FontCatalog.families.joined(separator: ", "))).")
        }
        if Set(text.fonts).count != text.fonts.count { problems.add(at + "/fonts", .duplicateCode, "a font is listed twice.") }
        if text.colours.isEmpty { problems.add(at + "/colours", .emptyPalette, "offer at least one text colour.") }
        for (index, colour) in text.colours.enumerated() where !Self.isHexColour(colour) {
            problems.add(at + "/colours/\(index)", .invalidColour, "must be #rrggbb.")
        }
    }

    private func check(_ image: ImageRules, at: String, into problems: inout ValidationErrors) {
        if image.allowedTypes.isEmpty { problems.add(at + "/allowedTypes", .required, "allow at least one image type.") }
        for (index, type) in image.allowedTypes.enumerated() where !ImageTypes.known.contains(type) {
            problems.add(at + "/allowedTypes/\(index)", .unknownFileType, "'\(type)' is not one of png, jpeg, webp.")
        }
        if !(1...Self.maxImageBytes).contains(image.maxBytes) {
            problems.add(at + "/maxBytes", .outOfRange, "must be 1–\(Self.maxImageBytes).")
        }
        for (name, value) in [("minWidth", image.minWidth), ("minHeight", image.minHeight), ("maxWidth", image.maxWidth), ("maxHeight", image.maxHeight)]
        where !(1...Self.maxCanvas * 5).contains(value) {
            problems.add(at + "/\(name)", .outOfRange, "must be 1–\(Self.maxCanvas * 5) pixels.")
        }
        if image.minWidth > image.maxWidth { problems.add(at + "/minWidth", .minExceedsMax, "minWidth is greater than maxWidth.") }
        if image.minHeight > image.maxHeight { problems.add(at + "/minHeight", .minExceedsMax, "minHeight is greater than maxHeight.") }
        let printFields = [image.printWidthMm, image.printHeightMm, image.minDpi]
        if printFields.contains(where: { $0 != nil }) {
            if printFields.contains(where: { $0 == nil }) {
                problems.add(at, .incompletePrintSize, "printWidthMm, printHeightMm and minDpi go together.")
            } else if let w = image.printWidthMm, let h = image.printHeightMm, let dpi = image.minDpi {
                if !(1...5000).contains(w) || !(1...5000).contains(h) { problems.add(at + "/printWidthMm", .outOfRange, "print sizes must be 1–5000 mm.") }
                if !(1...2400).contains(dpi) { problems.add(at + "/minDpi", .outOfRange, "must be 1–2400.") }
                // The pixels the print needs must fit under the maximum the zone accepts.
                if let needed = Self.requiredPixels(mm: w, dpi: dpi), needed > image.maxWidth {
                    problems.add(at + "/minDpi", .dpiUnreachable, "\(dpi) dpi over \(w) mm needs \(needed) px, above maxWidth.")
                }
                if let needed = Self.requiredPixels(mm: h, dpi: dpi), needed > image.maxHeight {
                    problems.add(at + "/minDpi", .dpiUnreachable, "\(dpi) dpi over \(h) mm needs \(needed) px, above maxHeight.")
                }
            }
        }
    }

    /// Pixels needed to print `mm` millimetres at `dpi`, rounded up; integer arithmetic (25.4 mm per inch).
    public static func requiredPixels(mm: Int, dpi: Int) -> Int? {
        guard mm > 0, dpi > 0 else { return nil }
        return (mm * dpi * 10 + 253) / 254
    }

    private func check(_ colour: ColourRules, at: String, into problems: inout ValidationErrors) {
        if colour.palette.isEmpty { problems.add(at + "/palette", .emptyPalette, "the palette needs at least one colour.") }
        if colour.palette.count > Self.maxPaletteSize { problems.add(at + "/palette", .tooMany, "at most \(Self.maxPaletteSize) colours.") }
        FieldRules.checkUnique(colour.palette.map(\.code), at: { at + "/palette/\($0)/code" }, into: &problems)
        for (index, swatch) in colour.palette.enumerated() {
            FieldRules.checkCode(swatch.code, at: at + "/palette/\(index)/code", into: &problems)
            FieldRules.checkName(swatch.name, at: at + "/palette/\(index)/name", into: &problems)
            if !Self.isHexColour(swatch.hex) { problems.add(at + "/palette/\(index)/hex", .invalidColour, "must be #rrggbb.") }
        }
    }

    private func check(_ components: ComponentRules, at: String, into problems: inout ValidationErrors) {
        if components.items.isEmpty { problems.add(at + "/items", .emptyComponents, "list at least one component.") }
        if components.items.count > Self.maxComponentItems { problems.add(at + "/items", .tooMany, "at most \(Self.maxComponentItems) components.") }
        if components.min < 0 { problems.add(at + "/min", .outOfRange, "must not be negative.") }
        if components.max < 1 || components.max > 100 { problems.add(at + "/max", .outOfRange, "must be 1–100.") }
        if components.min > components.max {
            problems.add(at + "/min", .minExceedsMax, "min (\(components.min)) is greater than max (\(components.max)).")
        }
        FieldRules.checkUnique(components.items.map(\.code), at: { at + "/items/\($0)/code" }, into: &problems)
        for (index, item) in components.items.enumerated() {
            FieldRules.checkCode(item.code, at: at + "/items/\(index)/code", into: &problems)
            FieldRules.checkName(item.name, at: at + "/items/\(index)/name", into: &problems)
            FieldRules.checkAmount(item.price, at: at + "/items/\(index)/price/amount", into: &problems)
        }
    }

    package static func isHexColour(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        return bytes.count == 7 && bytes[0] == 0x23 && bytes.dropFirst().allSatisfy {
            ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) || ($0 >= 0x41 && $0 <= 0x46)
        }
    }

    /// Components that count stock, by code.
    public var trackedComponents: [String] {
        zones.compactMap(\.components).flatMap(\.items).filter(\.tracked).map(\.code)
    }
}
