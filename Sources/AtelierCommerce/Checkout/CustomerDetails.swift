import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Foundation

/// Who pays and where the order goes. Personal data: stored only sealed by `PersonalDataCipher`.
public struct CustomerDetails: Sendable, Codable, Equatable {
    public struct Address: Sendable, Codable, Equatable {
        public var name: String
        public var line1: String
        public var line2: String?
        public var city: String
        public var region: String?
        public var postalCode: String
        public var country: String

        public init(name: String, line1: String, line2: String? = nil, city: String, region: String? = nil, postalCode: String, country: String) {
            self.name = name
            self.line1 = line1
            self.line2 = line2
            self.city = city
            self.region = region
            self.postalCode = postalCode
            self.country = country
        }

        public var destination: Destination { Destination(country: country, region: region) }
    }

    public var email: String
    public var name: String
    public var phone: String?
    public var shippingAddress: Address

    public init(email: String, name: String, phone: String? = nil, shippingAddress: Address) {
        self.email = email
        self.name = name
        self.phone = phone
        self.shippingAddress = shippingAddress
    }

    /// Every problem with the details, located under `/contact` and `/shippingAddress`.
    public func problems() -> [AtelierError.FieldError] {
        var problems = ValidationErrors()
        if !Self.isEmail(email) {
            problems.add("/contact/email", .invalidEmail, "must be an email address like ada@example.com.")
        }
        Self.checkText(name, at: "/contact/name", max: 200, into: &problems)
        if let phone, !Self.isPhone(phone) {
            problems.add("/contact/phone", .invalidPhone, "must be 5–32 digits, spaces, +, -, ( and ).")
        }
        let address = shippingAddress
        Self.checkText(address.name, at: "/shippingAddress/name", max: 200, into: &problems)
        Self.checkText(address.line1, at: "/shippingAddress/line1", max: 200, into: &problems)
        if let line2 = address.line2 { Self.checkText(line2, at: "/shippingAddress/line2", max: 200, required: false, into: &problems) }
        Self.checkText(address.city, at: "/shippingAddress/city", max: 100, into: &problems)
        Self.checkText(address.postalCode, at: "/shippingAddress/postalCode", max: 20, into: &problems)
        Destination.check(country: address.country, region: address.region, allowAnywhere: false, at: "/shippingAddress", into: &problems)
        return problems.errors
    }

    /// Required (unless told otherwise), at most `max` characters, no control characters.
    public static func checkText(_ value: String, at pointer: String, max: Int, required: Bool = true, into problems: inout ValidationErrors) {
        if required, value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            problems.add(pointer, .required, "must not be empty.")
        } else if value.count > max {
            problems.add(pointer, .tooLong, "must be at most \(max) characters.")
        } else if FieldRules.hasControlCharacters(value) {
            problems.add(pointer, .invalidCharacters, "must not contain control characters.")
        }
    }

    /// A pragmatic check: one @, a dot in the domain, no spaces or controls, at most 254 bytes.
    static func isEmail(_ value: String) -> Bool {
        guard (3...254).contains(value.utf8.count), !value.contains(where: { $0.isWhitespace }),
            !FieldRules.hasControlCharacters(value)
        else { return false }
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64 else { return false }
        let domain = parts[1]
        return domain.contains(".") && !domain.hasPrefix(".") && !domain.hasSuffix(".") && !domain.contains("..")
    }

    static func isPhone(_ value: String) -> Bool {
        let digits = value.filter(\.isASCII).filter(\.isNumber).count
        return (5...32).contains(value.count) && digits >= 5
            && value.allSatisfy { $0.isASCII && ($0.isNumber || " +-()".contains($0)) }
    }
}
