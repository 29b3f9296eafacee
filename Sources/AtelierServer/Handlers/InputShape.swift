import Atelier
import AtelierAPI

/// Bounds on the shape of a selection, as the contract states them; the product decides the rest.
enum InputShape {
    static func check(selection: [String: String], options: [String: [String]]) throws(AtelierError) {
        var problems = ValidationErrors()
        if selection.count > 6 { problems.add("/selection", .tooMany, "at most 6 dimensions.") }
        for (key, value) in selection where value.unicodeScalars.count > 40 {
            problems.add("/selection/\(key)", .tooLong, "value codes are at most 40 characters.")
        }
        if options.count > 20 { problems.add("/options", .tooMany, "at most 20 option sets.") }
        for (key, codes) in options {
            if codes.count > 50 { problems.add("/options/\(key)", .tooMany, "at most 50 options.") }
            if codes.contains(where: { $0.unicodeScalars.count > 40 }) {
                problems.add("/options/\(key)", .tooLong, "option codes are at most 40 characters.")
            }
        }
        try problems.check()
    }

    /// Bounds on zone values, as the contract states them; the template decides the rest.
    static func check(zones: [String: Components.Schemas.ZoneValue]) throws(AtelierError) {
        var problems = ValidationErrors()
        if zones.count > 60 { problems.add("/zones", .tooMany, "at most 60 zones.") }
        func limit(_ value: String?, _ max: Int, _ pointer: String) {
            if let value, value.unicodeScalars.count > max { problems.add(pointer, .tooLong, "at most \(max) characters.") }
        }
        for (code, value) in zones {
            let at = "/zones/" + code.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
            limit(value.text?.text, 2000, at + "/text/text")
            limit(value.text?.font, 100, at + "/text/font")
            limit(value.text?.colour, 20, at + "/text/colour")
            limit(value.image, 80, at + "/image")
            limit(value.colour, 40, at + "/colour")
            if let components = value.components {
                if components.count > 100 { problems.add(at + "/components", .tooMany, "at most 100 components.") }
                if components.contains(where: { $0.unicodeScalars.count > 40 }) {
                    problems.add(at + "/components", .tooLong, "component codes are at most 40 characters.")
                }
            }
        }
        try problems.check()
    }
}
