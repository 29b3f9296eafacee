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
import Testing

@Suite struct TemplateDefinitionTests {
    func problems(_ change: (inout TemplateDefinition) -> Void) -> [AtelierError.FieldError] {
        var template = Fixtures.template
        change(&template)
        return template.problems()
    }

    @Test func theFixtureAndTheDemoTemplatesAreValid() {
        #expect(problems { _ in }.isEmpty)
        for item in DemoCatalog.items(currency: "USD") {
            #expect(item.template?.problems() ?? [] == [], "\(item.definition.slug)")
            #expect(item.definition.problems(shopCurrency: "USD", knownCategories: ["apparel", "gifts", "3d-printed"]).isEmpty)
        }
    }

    @Test func inconsistentDefinitionsAreRejectedWithTheirCodes() {
        #expect(Fixtures.has(problems { $0.zones[0].text!.minLength = 30 }, "min_exceeds_max", at: "/zones/0/text/minLength"))
        #expect(Fixtures.has(problems { $0.zones[1].image!.minWidth = 5000 }, "min_exceeds_max", at: "/zones/1/image/minWidth"))
        #expect(Fixtures.has(problems { $0.zones[3].components!.min = 4 }, "min_exceeds_max", at: "/zones/3/components/min"))
        #expect(Fixtures.has(problems { $0.zones[2].colour!.palette = [] }, "empty_palette", at: "/zones/2/colour/palette"))
        #expect(Fixtures.has(problems { $0.zones[0].text!.colours = [] }, "empty_palette", at: "/zones/0/text/colours"))
        #expect(Fixtures.has(problems { $0.zones[0].geometry.x = 700 }, "zone_outside_view", at: "/zones/0/geometry"))
        #expect(Fixtures.has(problems { $0.zones[0].geometry.y = -1 }, "zone_outside_view", at: "/zones/0/geometry"))
        #expect(Fixtures.has(problems { $0.zones[0].text!.fonts = ["Comic Sans MS"] }, "unknown_font", at: "/zones/0/text/fonts/0"))
        #expect(Fixtures.has(problems { $0.zones[0].view = "back" }, "unknown_view", at: "/zones/0/view"))
        #expect(Fixtures.has(problems { $0.zones[1].image!.allowedTypes = ["svg"] }, "unknown_file_type", at: "/zones/1/image/allowedTypes/0"))
        #expect(Fixtures.has(problems { $0.zones[1].image!.minDpi = 2000 }, "dpi_unreachable", at: "/zones/1/image/minDpi"))
        #expect(Fixtures.has(problems { $0.zones[1].image!.minDpi = nil }, "incomplete_print_size", at: "/zones/1/image"))
        #expect(Fixtures.has(problems { $0.zones[2].colour!.palette[0].hex = "red" }, "invalid_colour", at: "/zones/2/colour/palette/0/hex"))
        #expect(Fixtures.has(problems { $0.zones[0].text = nil }, "required", at: "/zones/0/text"))
        #expect(Fixtures.has(problems { $0.zones[0].colour = Fixtures.template.zones[2].colour }, "unexpected_rules", at: "/zones/0/colour"))
        #expect(Fixtures.has(problems { $0.zones[0].geometry.width = 0 }, "invalid_geometry", at: "/zones/0/geometry"))
        #expect(Fixtures.has(problems { $0.zones[1].code = "name" }, "duplicate_code", at: "/zones/1/code"))
        #expect(Fixtures.has(problems { $0.zones[3].components!.items = [] }, "empty_components", at: "/zones/3/components/items"))
        #expect(Fixtures.has(problems { $0.views = [] }, "required", at: "/views"))
    }

    @Test func requiredPixelsRoundUp() {
        // 100 mm at 150 dpi = 590.55… px
        #expect(TemplateDefinition.requiredPixels(mm: 100, dpi: 150) == 591)
        #expect(TemplateDefinition.requiredPixels(mm: 254, dpi: 100) == 1000)
    }
}
