import Foundation
import NIOCore

/// The contract has no nullable request fields: an optional field is left out, never sent as `null`.
/// The generated decoders would read `null` as "absent", so the edge refuses it before they run.
enum JSONNulls {
    /// The JSON pointer of the first `null` in a JSON document, or nil when there is none.
    static func firstNull(in body: ByteBuffer) -> String? {
        guard containsNullToken(body.readableBytesView) else { return nil }
        // Rare path: find where it is, for the error.
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView), options: [.fragmentsAllowed]) else {
            return nil  // not JSON at all: the decoder reports that
        }
        return pointer(toNullIn: object, at: "")
    }

    /// A byte scan for the literal `null` outside strings: no allocation on the common path.
    static func containsNullToken(_ bytes: ByteBufferView) -> Bool {
        var inString = false
        var escaped = false
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == UInt8(ascii: "n"), bytes.distance(from: index, to: bytes.endIndex) >= 4,
                bytes[bytes.index(index, offsetBy: 1)] == UInt8(ascii: "u"),
                bytes[bytes.index(index, offsetBy: 2)] == UInt8(ascii: "l"),
                bytes[bytes.index(index, offsetBy: 3)] == UInt8(ascii: "l")
            {
                return true
            }
            index = bytes.index(after: index)
        }
        return false
    }

    private static func pointer(toNullIn value: Any, at path: String) -> String? {
        switch value {
        case is NSNull:
            return path
        case let object as [String: Any]:
            for key in object.keys.sorted() {
                let token = key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
                if let found = pointer(toNullIn: object[key]!, at: path + "/" + token) { return found }
            }
            return nil
        case let array as [Any]:
            for (index, element) in array.enumerated() {
                if let found = pointer(toNullIn: element, at: path + "/\(index)") { return found }
            }
            return nil
        default:
            return nil
        }
    }
}
