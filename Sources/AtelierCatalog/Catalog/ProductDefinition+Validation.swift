/// Checks that a definition is consistent in itself; reports every problem with a JSON pointer.
import AtelierCore
extension ProductDefinition {
    public func problems(shopCurrency: String, knownCategories: Set<String>, at root: String = "") -> [AtelierError.FieldError] {
        var problems = ValidationErrors()
        if !FieldRules.isSlug(slug) {
            problems.add(root + "/slug", .invalidSlug, "must be 1–\(CatalogLimits.slugMaxLength) characters of a–z, 0–9 and single hyphens.")
        }
        FieldRules.checkName(name, at: root + "/name", into: &problems)
        if description.unicodeScalars.count > CatalogLimits.descriptionMaxLength {
            problems.add(root + "/description", .tooLong, "must be at most \(CatalogLimits.descriptionMaxLength) characters.")
        } else if FieldRules.hasControlCharacters(description, allowNewlines: true) {
            problems.add(root + "/description", .invalidCharacters, "must not contain control characters.")
        }
        if let category, !knownCategories.contains(category) {
            problems.add(root + "/category", .unknownCategory, "no category has the slug '\(category)'.")
        }
        if currency != shopCurrency {
            problems.add(root + "/basePrice/currency", .currencyMismatch, "the shop sells in \(shopCurrency).")
        }
        FieldRules.checkAmount(basePrice, at: root + "/basePrice/amount", into: &problems)
        FieldRules.checkDays(baseLeadTimeDays, at: root + "/baseLeadTimeDays", into: &problems)
        if let weightGrams, !(0...ShippingLimits.maxGrams).contains(weightGrams) {
            problems.add(root + "/weightGrams", .outOfRange, "must be 0–\(ShippingLimits.maxGrams) grams.")
        }

        if media.count > CatalogLimits.maxMedia {
            problems.add(root + "/media", .tooMany, "at most \(CatalogLimits.maxMedia) media items.")
        }
        for (index, item) in media.enumerated() {
            FieldRules.checkURL(item.url, at: root + "/media/\(index)/url", into: &problems)
            FieldRules.checkName(item.altText, at: root + "/media/\(index)/altText", max: CatalogLimits.altTextMaxLength, into: &problems)
            if let view = item.view { FieldRules.checkCode(view, at: root + "/media/\(index)/view", into: &problems) }
        }

        checkDimensions(root: root, into: &problems)
        checkExclusions(root: root, into: &problems)
        checkVariants(root: root, into: &problems)
        checkOptionSets(root: root, into: &problems)
        return problems.errors
    }

    private func checkDimensions(root: String, into problems: inout ValidationErrors) {
        if dimensions.count > CatalogLimits.maxDimensions {
            problems.add(root + "/dimensions", .tooMany, "at most \(CatalogLimits.maxDimensions) dimensions.")
        }
        FieldRules.checkUnique(dimensions.map(\.code), at: { root + "/dimensions/\($0)/code" }, into: &problems)
        for (d, dimension) in dimensions.enumerated() {
            let at = root + "/dimensions/\(d)"
            FieldRules.checkCode(dimension.code, at: at + "/code", into: &problems)
            FieldRules.checkName(dimension.name, at: at + "/name", into: &problems)
            if dimension.values.isEmpty {
                problems.add(at + "/values", .emptyDimension, "a dimension needs at least one value.")
            } else if dimension.values.count > CatalogLimits.maxValuesPerDimension {
                problems.add(at + "/values", .tooMany, "at most \(CatalogLimits.maxValuesPerDimension) values.")
            } else if !dimension.values.contains(where: \.active) {
                problems.add(at + "/values", .noActiveValue, "at least one value must be active.")
            }
            FieldRules.checkUnique(dimension.values.map(\.code), at: { at + "/values/\($0)/code" }, into: &problems)
            for (v, value) in dimension.values.enumerated() {
                let vat = at + "/values/\(v)"
                FieldRules.checkCode(value.code, at: vat + "/code", into: &problems)
                FieldRules.checkName(value.name, at: vat + "/name", into: &problems)
                FieldRules.checkAmount(value.priceAdjustment, at: vat + "/priceAdjustment/amount", allowNegative: true, into: &problems)
                FieldRules.checkDays(value.leadTimeDays, at: vat + "/leadTimeDays", into: &problems)
                if let sku = value.skuFragment, sku.isEmpty || sku.count > CatalogLimits.skuMaxLength || FieldRules.hasControlCharacters(sku) {
                    problems.add(vat + "/skuFragment", .invalidSku, "must be 1–\(CatalogLimits.skuMaxLength) visible characters.")
                }
            }
        }
        // No combination may cost less than nothing.
        if problems.isEmpty, let lowest = priceRange()?.min, lowest < 0 {
            problems.add(root + "/dimensions", .negativePrice, "the cheapest combination would cost \(lowest) minor units.")
        }
    }

    private func checkExclusions(root: String, into problems: inout ValidationErrors) {
        if exclusions.count > CatalogLimits.maxExclusions {
            problems.add(root + "/exclusions", .tooMany, "at most \(CatalogLimits.maxExclusions) exclusion rules.")
        }
        for (index, rule) in exclusions.enumerated() {
            let at = root + "/exclusions/\(index)"
            if rule.isEmpty { problems.add(at, .emptyRule, "a rule names at least one dimension value.") }
            for (dimensionCode, valueCode) in rule.sorted(by: { $0.key < $1.key }) {
                guard let dimension = dimension(dimensionCode) else {
                    problems.add(at + "/" + JSONPointer.escape(dimensionCode), .unknownDimension, "no dimension '\(dimensionCode)'.")
                    continue
                }
                if dimension.value(valueCode) == nil {
                    problems.add(at + "/" + JSONPointer.escape(dimensionCode), .unknownValue, "'\(dimensionCode)' has no value '\(valueCode)'.")
                }
            }
        }
    }

    private func checkVariants(root: String, into problems: inout ValidationErrors) {
        guard let variants else { return }
        if variants.isEmpty { problems.add(root + "/variants", .emptyVariants, "list at least one variant, or omit the list.") }
        if variants.count > CatalogLimits.maxExplicitVariants {
            problems.add(root + "/variants", .tooMany, "at most \(CatalogLimits.maxExplicitVariants) variants.")
        }
        var seen = Set<String>()
        for (index, variant) in variants.enumerated() {
            let at = root + "/variants/\(index)"
            for error in structuralProblems(of: variant.selection, at: at + "/selection") { problems.add(error.pointer, error.code, error.message) }
            if !seen.insert(VariantKey.make(variant.selection)).inserted {
                problems.add(at + "/selection", .duplicateVariant, "this combination is listed twice.")
            }
            if let sku = variant.sku, sku.isEmpty || sku.count > CatalogLimits.skuMaxLength || FieldRules.hasControlCharacters(sku) {
                problems.add(at + "/sku", .invalidSku, "must be 1–\(CatalogLimits.skuMaxLength) visible characters.")
            }
        }
    }

    private func checkOptionSets(root: String, into problems: inout ValidationErrors) {
        if optionSets.count > CatalogLimits.maxOptionSets {
            problems.add(root + "/optionSets", .tooMany, "at most \(CatalogLimits.maxOptionSets) option sets.")
        }
        FieldRules.checkUnique(optionSets.map(\.code), at: { root + "/optionSets/\($0)/code" }, into: &problems)
        for (s, set) in optionSets.enumerated() {
            let at = root + "/optionSets/\(s)"
            FieldRules.checkCode(set.code, at: at + "/code", into: &problems)
            FieldRules.checkName(set.name, at: at + "/name", into: &problems)
            if set.options.isEmpty {
                problems.add(at + "/options", .emptyOptionSet, "an option set needs at least one option.")
            } else if set.options.count > CatalogLimits.maxOptionsPerSet {
                problems.add(at + "/options", .tooMany, "at most \(CatalogLimits.maxOptionsPerSet) options.")
            }
            if !(0...CatalogLimits.maxOptionsPerSet).contains(set.minSelect) {
                problems.add(at + "/minSelect", .outOfRange, "must be 0–\(CatalogLimits.maxOptionsPerSet).")
            }
            if !(1...CatalogLimits.maxOptionsPerSet).contains(set.maxSelect) {
                problems.add(at + "/maxSelect", .outOfRange, "must be 1–\(CatalogLimits.maxOptionsPerSet).")
            }
            if set.minSelect > set.maxSelect {
                problems.add(at + "/minSelect", .minExceedsMax, "minSelect (\(set.minSelect)) is greater than maxSelect (\(set.maxSelect)).")
            }
            if set.minSelect > set.options.filter(\.active).count {
                problems.add(at + "/minSelect", .minExceedsOptions, "minSelect is more than the active options.")
            }
            FieldRules.checkUnique(set.options.map(\.code), at: { at + "/options/\($0)/code" }, into: &problems)
            for (o, option) in set.options.enumerated() {
                FieldRules.checkCode(option.code, at: at + "/options/\(o)/code", into: &problems)
                FieldRules.checkName(option.name, at: at + "/options/\(o)/name", into: &problems)
                FieldRules.checkAmount(option.surcharge, at: at + "/options/\(o)/surcharge/amount", into: &problems)
            }
        }
    }
}
