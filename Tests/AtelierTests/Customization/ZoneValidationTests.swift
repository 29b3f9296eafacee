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
import Testing

@Suite struct ZoneValidationTests {
    typealias Value = CustomizationState.ZoneValue
    static let photo = Asset(id: "ast_photo", kind: .upload, type: "png", bytes: 500_000, width: 1000, height: 1000, createdAt: Date())

    func problems(_ zones: [String: Value], template: TemplateDefinition = Fixtures.template,
                  assets: [String: Asset] = ["ast_photo": photo], soldOut: Set<String> = []) -> [AtelierError.FieldError] {
        ZoneValidation(template: template, assets: assets, soldOutComponents: soldOut).problems(of: zones)
    }

    let valid: [String: Value] = ["name": .init(text: .init(text: "Ada")), "contents": .init(components: ["tea"])]

    @Test func aCompleteValidSetOfValuesPassesAndIsPriced() {
        var zones = valid
        zones["photo"] = .init(image: "ast_photo")
        zones["ribbon"] = .init(colour: "red")
        #expect(problems(zones).isEmpty)
        let validation = ZoneValidation(template: Fixtures.template, assets: [:])
        // name 300 + photo 500 + ribbon 0 + contents 0 + tea 800
        #expect(validation.surcharge(for: zones) == 300 + 500 + 800)
    }

    @Test func requiredUnknownAndWrongKindZones() {
        #expect(Fixtures.has(problems([:]), "required", at: "/zones/name"))
        #expect(Fixtures.has(problems(valid.merging(["engraving": .init(text: .init(text: "x"))]) { a, _ in a }), "unknown_zone", at: "/zones/engraving"))
        #expect(Fixtures.has(problems(["name": .init(colour: "red"), "contents": .init(components: ["tea"])]), "wrong_kind", at: "/zones/name"))
    }

    @Test func textCountsWhatAPersonSeesAndRefusesControlCharacters() {
        func text(_ value: String, font: String? = nil, colour: String? = nil) -> [AtelierError.FieldError] {
            problems(["name": .init(text: .init(text: value, font: font, colour: colour)), "contents": .init(components: ["tea"])])
        }
        // 20 family emoji are 20 characters for a person (and 100 scalars).
        #expect(text(String(repeating: "👨‍👩‍👧", count: 20)).isEmpty)
        #expect(Fixtures.has(text(String(repeating: "👨‍👩‍👧", count: 21)), "too_long", at: "/zones/name/text/text"))
        #expect(text(String(repeating: "e\u{301}", count: 20)).isEmpty)
        #expect(Fixtures.has(text(""), "too_short", at: "/zones/name/text/text"))
        #expect(Fixtures.has(text("a\u{0}b"), "control_characters", at: "/zones/name/text/text"))
        #expect(Fixtures.has(text("abc\u{202E}cba"), "control_characters", at: "/zones/name/text/text"))
        #expect(Fixtures.has(text("two\nlines"), "too_many_lines", at: "/zones/name/text/text"))
        #expect(Fixtures.has(text("Ada", font: "Comic Sans MS"), "font_not_allowed", at: "/zones/name/text/font"))
        #expect(Fixtures.has(text("Ada", colour: "#ff00ff"), "colour_not_allowed", at: "/zones/name/text/colour"))
        #expect(text("Ada", font: "Inter", colour: "#000000").isEmpty)
    }

    @Test func charsetsLimitWhatEngravingMachinesCanCut() {
        var template = Fixtures.template
        template.zones[0].text!.charset = .basicLatin
        let zones: (String) -> [String: Value] = { ["name": .init(text: .init(text: $0)), "contents": .init(components: ["tea"])] }
        #expect(problems(zones("Love, Ada & Co!"), template: template).isEmpty)
        #expect(Fixtures.has(problems(zones("Zoë"), template: template), "invalid_characters", at: "/zones/name/text/text"))
        template.zones[0].text!.charset = .uppercaseAlphanumeric
        #expect(problems(zones("ADA 1815"), template: template).isEmpty)
        #expect(Fixtures.has(problems(zones("Ada"), template: template), "invalid_characters", at: "/zones/name/text/text"))
    }

    @Test func imagesAreCheckedAgainstTheZoneAndThePrintResolution() {
        func image(_ asset: Asset) -> [AtelierError.FieldError] {
            var zones = valid
            zones["photo"] = .init(image: asset.id)
            return problems(zones, assets: [asset.id: asset])
        }
        var asset = Self.photo
        #expect(image(asset).isEmpty)
        asset.type = "webp"
        #expect(Fixtures.has(image(asset), "file_type_not_allowed", at: "/zones/photo/image"))
        asset = Self.photo; asset.bytes = 2_000_000
        #expect(Fixtures.has(image(asset), "file_too_large", at: "/zones/photo/image"))
        asset = Self.photo; asset.width = 400
        #expect(Fixtures.has(image(asset), "image_too_small", at: "/zones/photo/image"))
        asset = Self.photo; asset.width = 5000
        #expect(Fixtures.has(image(asset), "image_too_large", at: "/zones/photo/image"))
        // 100 mm at 150 dpi needs 591 px: 580 px is enough for minWidth 500 but not for print.
        asset = Self.photo; asset.width = 580
        #expect(Fixtures.has(image(asset), "resolution_too_low", at: "/zones/photo/image"))
        var zones = valid
        zones["photo"] = .init(image: "ast_missing")
        #expect(Fixtures.has(problems(zones), "unknown_asset", at: "/zones/photo/image"))
    }

    @Test func coloursAndComponents() {
        var zones = valid
        zones["ribbon"] = .init(colour: "plaid")
        #expect(Fixtures.has(problems(zones), "not_in_palette", at: "/zones/ribbon/colour"))
        func box(_ items: [String], soldOut: Set<String> = []) -> [AtelierError.FieldError] {
            problems(["name": .init(text: .init(text: "A")), "contents": .init(components: items)], soldOut: soldOut)
        }
        #expect(box(["candle", "tea"]).isEmpty)
        #expect(Fixtures.has(box([]), "too_few_components", at: "/zones/contents/components"))
        #expect(Fixtures.has(box(["tea", "tea"]), "duplicate_component", at: "/zones/contents/components"))
        #expect(Fixtures.has(box(["tea", "caviar"]), "unknown_component", at: "/zones/contents/components/1"))
        #expect(Fixtures.has(box(["candle"], soldOut: ["candle"]), "component_sold_out", at: "/zones/contents/components/0"))
        var template = Fixtures.template
        template.zones[3].components!.max = 1
        #expect(Fixtures.has(problems(["name": .init(text: .init(text: "A")), "contents": .init(components: ["candle", "tea"])], template: template),
                             "too_many_components", at: "/zones/contents/components"))
    }
}
