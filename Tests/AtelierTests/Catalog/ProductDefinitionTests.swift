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

@Suite struct ProductDefinitionTests {
    func problems(_ change: (inout ProductDefinition) -> Void, categories: Set<String> = []) -> [AtelierError.FieldError] {
        var definition = Fixtures.figurine
        change(&definition)
        return definition.problems(shopCurrency: "USD", knownCategories: categories)
    }

    @Test func theFixtureIsValid() {
        #expect(problems { _ in }.isEmpty)
    }

    @Test func productFieldsAreChecked() {
        #expect(Fixtures.has(problems { $0.slug = "Not A Slug" }, "invalid_slug", at: "/slug"))
        #expect(Fixtures.has(problems { $0.slug = "double--hyphen" }, "invalid_slug", at: "/slug"))
        #expect(Fixtures.has(problems { $0.name = "  " }, "required", at: "/name"))
        #expect(Fixtures.has(problems { $0.name = String(repeating: "n", count: 201) }, "too_long", at: "/name"))
        #expect(Fixtures.has(problems { $0.name = "bell\u{7}" }, "invalid_characters", at: "/name"))
        #expect(Fixtures.has(problems { $0.category = "toys" }, "unknown_category", at: "/category"))
        #expect(problems({ $0.category = "toys" }, categories: ["toys"]).isEmpty)
        #expect(Fixtures.has(problems { $0.currency = "EUR" }, "currency_mismatch", at: "/basePrice/currency"))
        #expect(Fixtures.has(problems { $0.basePrice = -1 }, "out_of_range", at: "/basePrice/amount"))
        #expect(Fixtures.has(problems { $0.baseLeadTimeDays = 400 }, "out_of_range", at: "/baseLeadTimeDays"))
        #expect(Fixtures.has(problems { $0.media = [.init(url: "javascript:alert(1)", altText: "x")] }, "invalid_url", at: "/media/0/url"))
        #expect(Fixtures.has(problems { $0.media = [.init(url: "/ok.png", altText: "")] }, "required", at: "/media/0/altText"))
    }

    @Test func dimensionsAndValuesAreChecked() {
        #expect(Fixtures.has(problems { $0.dimensions[1].code = "size" }, "duplicate_code", at: "/dimensions/1/code"))
        #expect(Fixtures.has(problems { $0.dimensions[0].values[1].code = "small" }, "duplicate_code", at: "/dimensions/0/values/1/code"))
        #expect(Fixtures.has(problems { $0.dimensions[0].code = "Size!" }, "invalid_code", at: "/dimensions/0/code"))
        #expect(Fixtures.has(problems { $0.dimensions[2].values = [] }, "empty_dimension", at: "/dimensions/2/values"))
        #expect(Fixtures.has(problems { $0.dimensions[2].values = $0.dimensions[2].values.map { var v = $0; v.active = false; return v } },
                             "no_active_value", at: "/dimensions/2/values"))
        #expect(Fixtures.has(problems { $0.dimensions[0].values[0].leadTimeDays = -1 }, "out_of_range", at: "/dimensions/0/values/0/leadTimeDays"))
        #expect(Fixtures.has(problems { $0.dimensions[0].values[0].priceAdjustment = -3000 }, "negative_price", at: "/dimensions"))
        #expect(Fixtures.has(problems { $0.dimensions[0].values[0].skuFragment = "" }, "invalid_sku", at: "/dimensions/0/values/0/skuFragment"))
    }

    @Test func exclusionRulesMustNameKnownValues() {
        #expect(Fixtures.has(problems { $0.exclusions = [["flavour": "mint"]] }, "unknown_dimension", at: "/exclusions/0/flavour"))
        #expect(Fixtures.has(problems { $0.exclusions = [["colour": "plaid"]] }, "unknown_value", at: "/exclusions/0/colour"))
        #expect(Fixtures.has(problems { $0.exclusions = [[:]] }, "empty_rule", at: "/exclusions/0"))
    }

    @Test func explicitVariantsMustBeCompleteAndDistinct() {
        let variant = ProductDefinition.Variant(selection: ["size": "small", "material": "pla", "colour": "red"])
        #expect(problems { $0.variants = [variant] }.isEmpty)
        #expect(Fixtures.has(problems { $0.variants = [variant, variant] }, "duplicate_variant", at: "/variants/1/selection"))
        #expect(Fixtures.has(problems { $0.variants = [.init(selection: ["size": "small"])] }, "missing_dimension", at: "/variants/0/selection/material"))
        #expect(Fixtures.has(problems { $0.variants = [] }, "empty_variants", at: "/variants"))
    }

    @Test func optionSetsAreChecked() {
        #expect(Fixtures.has(problems { $0.optionSets[1].minSelect = 3; $0.optionSets[1].maxSelect = 2 }, "min_exceeds_max", at: "/optionSets/1/minSelect"))
        #expect(Fixtures.has(problems { $0.optionSets[0].options = [] }, "empty_option_set", at: "/optionSets/0/options"))
        #expect(Fixtures.has(problems { $0.optionSets[1].code = "finish" }, "duplicate_code", at: "/optionSets/1/code"))
        #expect(Fixtures.has(problems { $0.optionSets[0].options[0].surcharge = -5 }, "out_of_range", at: "/optionSets/0/options/0/surcharge/amount"))
        #expect(Fixtures.has(problems { $0.optionSets[1].minSelect = 3; $0.optionSets[1].maxSelect = 3; $0.optionSets[1].options[0].active = false },
                             "min_exceeds_options", at: "/optionSets/1/minSelect"))
    }

    @Test func everyProblemIsReportedAtOnce() {
        let all = problems {
            $0.slug = "BAD"
            $0.name = ""
            $0.basePrice = -5
            $0.dimensions[0].values = []
            $0.optionSets[0].minSelect = 9
        }
        #expect(Fixtures.codes(all).isSuperset(of: ["invalid_slug", "required", "out_of_range", "empty_dimension", "min_exceeds_max"]))
    }
}

@Suite struct SelectionTests {
    let product = Fixtures.figurine

    @Test func aValidSelectionIsPricedFromBaseAdjustmentsAndSurcharges() {
        let selection = ["size": "large", "material": "resin", "colour": "red"]
        let options = ["finish": ["gloss"], "extras": ["gift_wrap", "stand"]]
        #expect(product.problems(ofSelection: selection).isEmpty)
        #expect(product.problems(ofOptions: options).isEmpty)
        #expect(product.unitPrice(selection: selection, options: options) == 2500 + 3000 + 1500 + 400 + 350 + 900)
        // base 4 + slowest value (resin, 5 days)
        #expect(product.leadTimeDays(selection: selection) == 9)
    }

    @Test func everySelectionRuleHasItsCode() {
        #expect(Fixtures.has(product.problems(ofSelection: ["size": "small", "material": "pla", "colour": "red", "flavour": "x"]),
                             "unknown_dimension", at: "/selection/flavour"))
        #expect(Fixtures.has(product.problems(ofSelection: ["size": "tiny", "material": "pla", "colour": "red"]),
                             "unknown_value", at: "/selection/size"))
        #expect(Fixtures.has(product.problems(ofSelection: ["size": "giant", "material": "pla", "colour": "red"]),
                             "inactive_value", at: "/selection/size"))
        #expect(Fixtures.has(product.problems(ofSelection: ["size": "small", "material": "pla"]),
                             "missing_dimension", at: "/selection/colour"))
        #expect(Fixtures.has(product.problems(ofSelection: ["size": "small", "material": "abs", "colour": "white"]),
                             "excluded_combination", at: "/selection"))
        #expect(product.problems(ofSelection: ["size": "small", "material": "abs", "colour": "red"]).isEmpty)
        var listed = product
        listed.variants = [.init(selection: ["size": "small", "material": "pla", "colour": "red"])]
        #expect(Fixtures.has(listed.problems(ofSelection: ["size": "large", "material": "pla", "colour": "red"]), "not_offered", at: "/selection"))
    }

    @Test func everyOptionRuleHasItsCode() {
        #expect(Fixtures.has(product.problems(ofOptions: ["finish": ["matte"], "engraving": ["x"]]), "unknown_option_set", at: "/options/engraving"))
        #expect(Fixtures.has(product.problems(ofOptions: ["finish": ["chrome"]]), "unknown_option", at: "/options/finish/0"))
        #expect(Fixtures.has(product.problems(ofOptions: ["finish": ["gold_leaf"]]), "inactive_option", at: "/options/finish/0"))
        #expect(Fixtures.has(product.problems(ofOptions: ["finish": ["matte"], "extras": ["card", "card"]]), "duplicate_option", at: "/options/extras"))
        #expect(Fixtures.has(product.problems(ofOptions: [:]), "too_few_options", at: "/options/finish"))
        #expect(Fixtures.has(product.problems(ofOptions: ["finish": ["matte", "gloss"]]), "too_many_options", at: "/options/finish"))
    }

    @Test func rangesCoverExactlyWhatIsOffered() throws {
        // Offered: 2 sizes × 3 materials × 2 colours − (abs, white) × 2 sizes = 10 combinations.
        #expect(product.offeredSelections()?.count == 10)
        let price = try #require(product.priceRange())
        #expect(price.min == 2500)
        #expect(price.max == 2500 + 3000 + 1500)
        let lead = try #require(product.leadTimeRange())
        #expect(lead.min == 4)
        #expect(lead.max == 4 + 5)
        // Excluding the only cheapest combinations raises the minimum.
        var narrowed = product
        narrowed.exclusions += [["material": "pla"]]
        let narrowedMin = narrowed.priceRange()?.min
        #expect(narrowedMin == Int64(2500 + 300))
    }

    @Test func skusJoinValueFragments() {
        var product = Fixtures.figurine
        for d in product.dimensions.indices {
            for v in product.dimensions[d].values.indices {
                product.dimensions[d].values[v].skuFragment = product.dimensions[d].values[v].code.uppercased()
            }
        }
        #expect(product.sku(for: ["size": "small", "material": "pla", "colour": "red"]) == "SMALL-PLA-RED")
        #expect(Fixtures.figurine.sku(for: ["size": "small", "material": "pla", "colour": "red"]) == nil)
    }
}
