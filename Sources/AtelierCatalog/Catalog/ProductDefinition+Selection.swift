/// Selections of variant values and add-on options, checked against the definition and priced.
import AtelierCore
extension ProductDefinition {
    /// Problems that make a selection meaningless: unknown dimensions or values, missing dimensions.
    func structuralProblems(of selection: [String: String], at pointer: String) -> [AtelierError.FieldError] {
        var problems = ValidationErrors()
        for (dimensionCode, valueCode) in selection.sorted(by: { $0.key < $1.key }) {
            let at = pointer + "/" + JSONPointer.escape(dimensionCode)
            guard let dimension = dimension(dimensionCode) else {
                problems.add(at, .unknownDimension, "this product has no dimension '\(dimensionCode)'.")
                continue
            }
            if dimension.value(valueCode) == nil {
                problems.add(at, .unknownValue, "'\(dimensionCode)' has no value '\(valueCode)'.")
            }
        }
        for dimension in dimensions where selection[dimension.code] == nil {
            problems.add(pointer + "/" + JSONPointer.escape(dimension.code), .missingDimension, "choose a \(dimension.name.lowercased()).")
        }
        return problems.errors
    }

    /// Every reason this selection of variant values cannot be sold; empty when it can.
    public func problems(ofSelection selection: [String: String], at pointer: String = "/selection") -> [AtelierError.FieldError] {
        let structural = structuralProblems(of: selection, at: pointer)
        guard structural.isEmpty else { return structural }
        var problems = ValidationErrors()
        for dimension in dimensions {
            if let value = dimension.value(selection[dimension.code]!), !value.active {
                problems.add(pointer + "/" + JSONPointer.escape(dimension.code), .inactiveValue,
                             "\(value.name) is not offered at the moment.")
            }
        }
        if let rule = exclusions.first(where: { Self.matches(rule: $0, selection) }) {
            let names = rule.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: " with ")
            problems.add(pointer, .excludedCombination, "\(names) is not offered.")
        }
        if let variants, !variants.contains(where: { $0.selection == selection }) {
            problems.add(pointer, .notOffered, "this combination is not one of the product's variants.")
        }
        return problems.errors
    }

    /// Every reason these add-on choices are not allowed; empty when they are.
    public func problems(ofOptions options: [String: [String]], at pointer: String = "/options") -> [AtelierError.FieldError] {
        var problems = ValidationErrors()
        for (setCode, chosen) in options.sorted(by: { $0.key < $1.key }) {
            let at = pointer + "/" + JSONPointer.escape(setCode)
            guard let set = optionSet(setCode) else {
                problems.add(at, .unknownOptionSet, "this product has no option set '\(setCode)'.")
                continue
            }
            if Set(chosen).count != chosen.count { problems.add(at, .duplicateOption, "an option is chosen twice.") }
            for (index, code) in chosen.enumerated() {
                guard let option = set.options.first(where: { $0.code == code }) else {
                    problems.add(at + "/\(index)", .unknownOption, "'\(setCode)' has no option '\(code)'.")
                    continue
                }
                if !option.active { problems.add(at + "/\(index)", .inactiveOption, "\(option.name) is not offered at the moment.") }
            }
        }
        for set in optionSets {
            let count = Set(options[set.code] ?? []).count
            let at = pointer + "/" + JSONPointer.escape(set.code)
            if count < set.minSelect { problems.add(at, .tooFewOptions, "choose at least \(set.minSelect) of \(set.name).") }
            if count > set.maxSelect { problems.add(at, .tooManyOptions, "choose at most \(set.maxSelect) of \(set.name).") }
        }
        return problems.errors
    }

    static func matches(rule: [String: String], _ selection: [String: String]) -> Bool {
        !rule.isEmpty && rule.allSatisfy { selection[$0.key] == $0.value }
    }

    /// Base price plus the adjustments of the chosen values and the surcharges of the chosen options,
    /// as `PricingEngine` computes it. Unknown codes add nothing: validate first.
    public func unitPrice(selection: [String: String], options: [String: [String]] = [:]) -> Int64 {
        // Unclamped, so that validation can see a combination that would cost less than nothing.
        let price = PricingEngine.unitPrice(self, selection: selection, options: options)
        return price.base + price.variantAdjustments + price.optionSurcharges + price.customizationSurcharges
    }

    /// Base lead time plus the slowest chosen value's.
    public func leadTimeDays(selection: [String: String]) -> Int {
        baseLeadTimeDays + (dimensions.compactMap { selection[$0.code].flatMap($0.value)?.leadTimeDays }.max() ?? 0)
    }

    /// Every selection the product offers, or nil when there are more than `limit`.
    public func offeredSelections(limit: Int = CatalogLimits.exactRangeCombinations) -> [[String: String]]? {
        if let variants {
            let offered = variants.map(\.selection).filter { problems(ofSelection: $0).isEmpty }
            return offered
        }
        var count = 1
        for dimension in dimensions {
            count *= max(1, dimension.values.filter(\.active).count)
            if count > limit { return nil }
        }
        var result: [[String: String]] = [[:]]
        for dimension in dimensions {
            let values = dimension.values.filter(\.active)
            result = result.flatMap { partial in values.map { partial.merging([dimension.code: $0.code]) { a, _ in a } } }
        }
        return result.filter { selection in !exclusions.contains { Self.matches(rule: $0, selection) } }
    }

    /// Lowest and highest unit price without add-ons over what is offered; nil when nothing is.
    public func priceRange() -> (min: Int64, max: Int64)? {
        if let offered = offeredSelections() {
            let prices = offered.map { unitPrice(selection: $0) }
            guard let low = prices.min(), let high = prices.max() else { return nil }
            return (low, high)
        }
        // Too many combinations to list: bound per dimension (exclusions can only narrow this).
        var low = basePrice, high = basePrice
        for dimension in dimensions {
            let adjustments = dimension.values.filter(\.active).map(\.priceAdjustment)
            low += adjustments.min() ?? 0
            high += adjustments.max() ?? 0
        }
        return (low, high)
    }

    /// Shortest and longest lead time in days over what is offered.
    public func leadTimeRange() -> (min: Int, max: Int)? {
        if let offered = offeredSelections() {
            let days = offered.map { leadTimeDays(selection: $0) }
            guard let low = days.min(), let high = days.max() else { return nil }
            return (low, high)
        }
        let slowest = dimensions.map { $0.values.filter(\.active).map(\.leadTimeDays) }
        return (baseLeadTimeDays + (slowest.compactMap { $0.min() }.max() ?? 0),
                baseLeadTimeDays + (slowest.compactMap { $0.max() }.max() ?? 0))
    }
}

extension ProductDefinition {
    /// The SKU of a valid selection: the listed variant's own, or the value fragments joined by "-".
    public func sku(for selection: [String: String]) -> String? {
        if let variant = variants?.first(where: { $0.selection == selection }), let sku = variant.sku { return sku }
        let fragments = dimensions.map { selection[$0.code].flatMap($0.value)?.skuFragment }
        guard !fragments.isEmpty, fragments.allSatisfy({ $0 != nil }) else { return nil }
        return fragments.compactMap { $0 }.joined(separator: "-")
    }
}
