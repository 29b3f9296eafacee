/// The one check of tracking details, wherever they come from (an admin's transition, a fulfillment
/// service's report, `OrderStore.transition` itself), and the one rule for showing their link: the
/// link reaches the shopper's order page and the HTML email, so only a plain web link may pass.
import AtelierCore
import AtelierCatalog
import AtelierCustomization
extension Tracking {
    public static let maxURLLength = 2000
    static let maxTextLength = 100

    /// Whether `url` is an absolute http(s) URL with a host and no credentials, written only with the
    /// characters RFC 3986 allows less the apostrophe (so no space, quote or angle bracket that could end
    /// an HTML attribute, however a storefront quotes it). The scheme's case does not matter;
    /// `javascript:`, `data:` and relative links never pass.
    public static func isWebLink(_ url: String) -> Bool {
        let bytes = url.utf8
        guard bytes.count <= maxURLLength, bytes.allSatisfy(isURLByte) else { return false }
        let lower = url.lowercased()
        let rest: Substring
        if lower.hasPrefix("https://") {
            rest = url.dropFirst(8)
        } else if lower.hasPrefix("http://") {
            rest = url.dropFirst(7)
        } else {
            return false
        }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        // A host first; "user@" in front of it is how a link dresses up as another site.
        return !authority.isEmpty && !authority.hasPrefix(":") && !authority.contains("@")
    }

    /// Every problem with tracking details, located under `pointer` ("/tracking", "/data/tracking").
    public func check(at pointer: String, into problems: inout ValidationErrors) {
        CustomerDetails.checkText(carrier, at: pointer + "/carrier", max: Self.maxTextLength, into: &problems)
        CustomerDetails.checkText(number, at: pointer + "/number", max: Self.maxTextLength, into: &problems)
        if let url, !Self.isWebLink(url) {
            problems.add(pointer + "/url", .invalidUrl,
                         "must be an absolute http(s) URL without spaces or credentials, at most \(Self.maxURLLength) characters.")
        }
    }

    /// The link to show the shopper, or nil when there is none or it is not a web link (a row written
    /// before links were checked).
    public var webLink: String? {
        guard let url, Self.isWebLink(url) else { return nil }
        return url
    }

    /// Letters, digits and the marks RFC 3986 allows in a URL ("%" for escapes), but not "'".
    private static func isURLByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            urlMarks.contains(byte)
        }
    }

    private static let urlMarks = Set("-._~:/?#[]@!$&()*+,;=%".utf8)
}
