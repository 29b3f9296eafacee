import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Minor units per major unit (ISO 4217 exponents), for providers that take decimal strings.
public enum CurrencyUnits {
    static let zeroDecimal: Set<String> = ["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV",
                                           "XAF", "XOF", "XPF"]
    static let threeDecimal: Set<String> = ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"]

    public static func exponent(of currency: String) -> Int {
        zeroDecimal.contains(currency) ? 0 : threeDecimal.contains(currency) ? 3 : 2
    }

    /// `1234` USD → `"12.34"`; `500` JPY → `"500"`.
    public static func decimalString(_ amount: Int64, currency: String) -> String {
        let exponent = exponent(of: currency)
        guard exponent > 0 else { return String(amount) }
        var scale: Int64 = 1
        for _ in 0..<exponent { scale *= 10 }
        let sign = amount < 0 ? "-" : ""
        let magnitude = amount.magnitude
        let fraction = String(magnitude % UInt64(scale))
        return sign + String(magnitude / UInt64(scale)) + "." + String(repeating: "0", count: exponent - fraction.count) + fraction
    }

    /// `"12.34"` USD → `1234`; nil for anything that is not a plain decimal with at most the currency's digits.
    public static func minorUnits(_ text: String, currency: String) -> Int64? {
        let exponent = exponent(of: currency)
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = parts.first, !whole.isEmpty, whole.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
              whole.count <= 15
        else { return nil }
        var fraction = parts.count == 2 ? String(parts[1]) : ""
        guard fraction.count <= exponent, fraction.utf8.allSatisfy({ (0x30...0x39).contains($0) }), parts.count == 1 || !fraction.isEmpty
        else { return nil }
        fraction += String(repeating: "0", count: exponent - fraction.count)
        return Int64(whole + fraction)
    }
}
