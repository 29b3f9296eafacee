import AtelierCore
import AtelierAssets
import AtelierCatalog
import Foundation

/// Checks zone values against a template version. Lengths count what a person sees (grapheme
/// clusters); control characters and bidirectional overrides are refused everywhere.
public struct ZoneValidation: Sendable {
    public let template: TemplateDefinition
    /// Uploaded assets the values refer to, by id (absent: unknown asset).
    public let assets: [String: Asset]
    /// Tracked components that are sold out.
    public let soldOutComponents: Set<String>

    public init(template: TemplateDefinition, assets: [String: Asset], soldOutComponents: Set<String> = []) {
        self.template = template
        self.assets = assets
        self.soldOutComponents = soldOutComponents
    }

    public func problems(of zones: [String: CustomizationState.ZoneValue]) -> [AtelierError.FieldError] {
        var problems = ValidationErrors()
        for code in zones.keys.sorted() where !template.zones.contains(where: { $0.code == code }) {
            problems.add("/zones/" + JSONPointer.escape(code), .unknownZone, "this template has no zone '\(code)'.")
        }
        for zone in template.zones {
            let at = "/zones/" + JSONPointer.escape(zone.code)
            guard let value = zones[zone.code], !value.isEmpty else {
                if zone.required { problems.add(at, .required, "\(zone.name) is required.") }
                continue
            }
            let kinds = [value.text != nil, value.image != nil, value.colour != nil, value.components != nil].filter { $0 }.count
            let matches: Bool = switch zone.kind {
            case .text: value.text != nil
            case .image: value.image != nil
            case .colour: value.colour != nil
            case .components: value.components != nil
            }
            guard kinds == 1, matches else {
                problems.add(at, .wrongKind, "\(zone.name) takes a \(zone.kind.rawValue) value.")
                continue
            }
            switch zone.kind {
            case .text: check(value.text!, zone.text!, at: at + "/text", into: &problems)
            case .image: check(image: value.image!, zone.image!, at: at + "/image", into: &problems)
            case .colour:
                if !zone.colour!.palette.contains(where: { $0.code == value.colour! }) {
                    problems.add(at + "/colour", .notInPalette, "'\(value.colour!)' is not one of the offered colours.")
                }
            case .components: check(components: value.components!, zone.components!, at: at + "/components", into: &problems)
            }
        }
        return problems.errors
    }

    private func check(_ value: CustomizationState.ZoneValue.Text, _ rules: TemplateDefinition.TextRules, at: String,
                       into problems: inout ValidationErrors) {
        let text = value.text.replacingOccurrences(of: "\r\n", with: "\n")
        if let bad = text.unicodeScalars.first(where: Self.isForbidden) {
            problems.add(at + "/text", .controlCharacters, String(format: "contains the control character U+%04X.", bad.value))
        } else if let bad = text.unicodeScalars.first(where: { !Self.allowed(rules.charset, $0) }) {
            problems.add(at + "/text", .invalidCharacters, "'\(Character(bad))' cannot be used here (\(rules.charset.rawValue)).")
        }
        let length = text.count
        if length < max(rules.minLength, 1) {
            problems.add(at + "/text", .tooShort, "needs at least \(max(rules.minLength, 1)) characters.")
        } else if length > rules.maxLength {
            problems.add(at + "/text", .tooLong, "at most \(rules.maxLength) characters; this has \(length).")
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
        if lines > rules.maxLines { problems.add(at + "/text", .tooManyLines, "at most \(rules.maxLines) line(s).") }
        if let font = value.font, !rules.fonts.contains(font) {
            problems.add(at + "/font", .fontNotAllowed, "'\(font)' is not offered here (\(rules.fonts.joined(separator: ", "))).")
        }
        if let colour = value.colour, !rules.colours.contains(where: { $0.caseInsensitiveCompare(colour) == .orderedSame }) {
            problems.add(at + "/colour", .colourNotAllowed, "'\(colour)' is not an offered text colour.")
        }
    }

    private func check(image id: String, _ rules: TemplateDefinition.ImageRules, at: String, into problems: inout ValidationErrors) {
        guard let asset = assets[id], asset.kind == .upload else {
            problems.add(at, .unknownAsset, "no uploaded image '\(id)'; upload it with POST /assets first.")
            return
        }
        if !rules.allowedTypes.contains(asset.type) {
            problems.add(at, .fileTypeNotAllowed, "\(asset.type.uppercased()) is not accepted here (\(rules.allowedTypes.joined(separator: ", "))).")
        }
        if asset.bytes > rules.maxBytes { problems.add(at, .fileTooLarge, "at most \(rules.maxBytes) bytes; this has \(asset.bytes).") }
        if asset.width < rules.minWidth || asset.height < rules.minHeight {
            problems.add(at, .imageTooSmall, "at least \(rules.minWidth)×\(rules.minHeight) px; this is \(asset.width)×\(asset.height).")
        }
        if asset.width > rules.maxWidth || asset.height > rules.maxHeight {
            problems.add(at, .imageTooLarge, "at most \(rules.maxWidth)×\(rules.maxHeight) px; this is \(asset.width)×\(asset.height).")
        }
        if let w = rules.printWidthMm, let h = rules.printHeightMm, let dpi = rules.minDpi,
            let needW = TemplateDefinition.requiredPixels(mm: w, dpi: dpi), let needH = TemplateDefinition.requiredPixels(mm: h, dpi: dpi),
            asset.width < needW || asset.height < needH
        {
            problems.add(at, .resolutionTooLow, "printing \(w)×\(h) mm at \(dpi) dpi needs \(needW)×\(needH) px; this is \(asset.width)×\(asset.height).")
        }
    }

    private func check(components chosen: [String], _ rules: TemplateDefinition.ComponentRules, at: String, into problems: inout ValidationErrors) {
        if Set(chosen).count != chosen.count { problems.add(at, .duplicateComponent, "a component is chosen twice.") }
        for (index, code) in chosen.enumerated() {
            if !rules.items.contains(where: { $0.code == code }) {
                problems.add(at + "/\(index)", .unknownComponent, "'\(code)' is not one of the components.")
            } else if soldOutComponents.contains(code) {
                problems.add(at + "/\(index)", .componentSoldOut, "'\(code)' is sold out.")
            }
        }
        if chosen.count < rules.min { problems.add(at, .tooFewComponents, "choose at least \(rules.min).") }
        if chosen.count > rules.max { problems.add(at, .tooManyComponents, "choose at most \(rules.max).") }
    }

    /// Zone surcharges (once per used zone) plus the prices of chosen components.
    public func surcharge(for zones: [String: CustomizationState.ZoneValue]) -> Int64 {
        var total: Int64 = 0
        for zone in template.zones {
            guard let value = zones[zone.code], !value.isEmpty else { continue }
            total += zone.surcharge
            if let chosen = value.components, let rules = zone.components {
                total += Set(chosen).reduce(0) { sum, code in sum + (rules.items.first { $0.code == code }?.price ?? 0) }
            }
        }
        return total
    }

    /// Control characters (except line breaks) and bidirectional overrides, which can disguise text.
    static func isForbidden(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "\n" { return false }
        if scalar.properties.generalCategory == .control { return true }
        return (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value)
    }

    static func allowed(_ charset: TemplateDefinition.Charset, _ scalar: Unicode.Scalar) -> Bool {
        if scalar == "\n" || scalar == " " { return true }
        switch charset {
        case .printable:
            switch scalar.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                 .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .letterNumber, .otherNumber,
                 .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
                 .finalPunctuation, .otherPunctuation, .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol,
                 .spaceSeparator:
                return true
            case .format:
                return scalar.value == 0x200D || (0xFE00...0xFE0F).contains(scalar.value)  // emoji joiners and variation selectors
            default:
                return false
            }
        case .basicLatin:
            return scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || ".,'-&!?".unicodeScalars.contains(scalar))
        case .uppercaseAlphanumeric:
            return ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
        }
    }
}
