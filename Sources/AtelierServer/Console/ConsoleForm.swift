import Foundation
import Hummingbird
import NIOCore

/// A console form's fields, read from an `application/x-www-form-urlencoded` body, a `multipart/form-data` one
/// (forms that send a file), or a query string.
struct ConsoleForm {
    /// A console form without a file is a few short fields (a product's whole definition at most); anything
    /// longer is not one of ours.
    static let maxBytes = 256 * 1024

    /// A file sent with a multipart form.
    struct File {
        var filename: String
        var contentType: String
        var bytes: [UInt8]
    }

    private(set) var fields: [String: String] = [:]
    /// The form's fields in the order they were sent (repeated names kept), for forms that list rows.
    private(set) var ordered: [(name: String, value: String)] = []
    private(set) var files: [String: File] = [:]

    init(encoded: Substring) {
        for pair in encoded.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]) else { continue }
            add(name, parts.count > 1 ? Self.decode(parts[1]) ?? "" : "")
        }
    }

    private mutating func add(_ name: String, _ value: String) {
        ordered.append((name, value))
        if fields[name] == nil { fields[name] = value }
    }

    /// The form posted in `request`; a body over `maxBytes` (or a malformed multipart body) reads as an empty
    /// form, which no check accepts (its anti-forgery token is missing).
    static func read(_ request: Request, maxBytes: Int = maxBytes) async -> ConsoleForm {
        var request = request
        guard let body = try? await request.collectBody(upTo: maxBytes) else { return ConsoleForm(encoded: "") }
        if let type = request.headers[.contentType], type.lowercased().hasPrefix("multipart/form-data"),
           let boundary = Self.boundary(of: type) {
            return ConsoleForm(multipart: Array(buffer: body), boundary: boundary) ?? ConsoleForm(encoded: "")
        }
        return ConsoleForm(encoded: Substring(String(buffer: body)))
    }

    subscript(name: String) -> String? { fields[name] }

    /// A field's value trimmed, nil when absent or blank.
    func text(_ name: String) -> String? {
        guard let value = fields[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    /// A file sent under `name`, nil when none was chosen (browsers send an empty part then).
    func file(_ name: String) -> File? {
        guard let file = files[name], !file.bytes.isEmpty else { return nil }
        return file
    }

    private static func decode(_ part: Substring) -> String? {
        String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }

    // MARK: - multipart/form-data (RFC 7578)

    static func boundary(of contentType: String) -> String? {
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == "boundary" else { continue }
            var value = pair[1].trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return (1...70).contains(value.utf8.count) ? value : nil
        }
        return nil
    }

    /// Parts separated by `--boundary`; each part's headers name the field (and a file's name and type).
    init?(multipart body: [UInt8], boundary: String) {
        let delimiter = Array("--\(boundary)".utf8)
        var starts: [Int] = []
        var index = 0
        while let found = Self.find(delimiter, in: body, from: index) {
            starts.append(found)
            index = found + delimiter.count
        }
        guard starts.count >= 2 else { return nil }
        for (first, next) in zip(starts, starts.dropFirst()) {
            var from = first + delimiter.count
            // Each part begins after the delimiter's CRLF and ends before the CRLF that precedes the next one.
            guard from + 2 <= next, body[from] == 0x0D, body[from + 1] == 0x0A else { return nil }
            from += 2
            let end = next - 2
            guard end >= from, let split = Self.find([0x0D, 0x0A, 0x0D, 0x0A], in: body, from: from), split <= end else { return nil }
            guard let head = String(bytes: body[from..<split], encoding: .utf8) else { return nil }
            let content = Array(body[(split + 4)..<max(split + 4, end)])
            var name: String?
            var filename: String?
            var type = "application/octet-stream"
            for line in head.components(separatedBy: "\r\n") {
                let lower = line.lowercased()
                if lower.hasPrefix("content-disposition:") {
                    name = Self.parameter("name", in: line)
                    filename = Self.parameter("filename", in: line)
                } else if lower.hasPrefix("content-type:") {
                    type = line.dropFirst("content-type:".count).trimmingCharacters(in: .whitespaces)
                }
            }
            guard let name else { return nil }
            if let filename {
                if files[name] == nil { files[name] = File(filename: filename, contentType: type, bytes: content) }
            } else {
                guard let value = String(bytes: content, encoding: .utf8) else { return nil }
                add(name, value)
            }
        }
    }

    private static func parameter(_ wanted: String, in line: String) -> String? {
        for piece in line.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == wanted else { continue }
            var value = pair[1].trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value
        }
        return nil
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        let first = needle[0]
        var index = start
        while index <= haystack.count - needle.count {
            if haystack[index] == first, haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
