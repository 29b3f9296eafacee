/// Recognizes an image from its bytes alone — the type a client declares is never trusted — and reads
/// its pixel size from the header, without decoding the image.
import AtelierCore
public enum ImageSniffer {
    public struct Info: Sendable, Equatable {
        public var type: String  // png, jpeg, webp
        public var width: Int
        public var height: Int

        public var mediaType: String { "image/" + type }
    }

    public enum Failure: Error, Equatable {
        case unsupported(String)  // recognized but refused (svg, gif…)
        case unknown
        case truncated
    }

    public static func sniff(_ bytes: [UInt8]) -> Result<Info, Failure> {
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return png(bytes) }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return jpeg(bytes) }
        if bytes.count >= 12, bytes.starts(with: Array("RIFF".utf8)), Array(bytes[8..<12]) == Array("WEBP".utf8) { return webp(bytes) }
        if bytes.starts(with: Array("GIF8".utf8)) { return .failure(.unsupported("gif")) }
        if looksLikeSVG(bytes) { return .failure(.unsupported("svg")) }
        return .failure(.unknown)
    }

    private static func be32(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3]) }
    private static func be16(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) << 8 | Int(b[i + 1]) }
    private static func le16(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 }
    private static func le24(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 | Int(b[i + 2]) << 16 }

    /// The first chunk must be IHDR: width and height are its first two 32-bit fields.
    static func png(_ b: [UInt8]) -> Result<Info, Failure> {
        guard b.count >= 24 else { return .failure(.truncated) }
        guard Array(b[12..<16]) == Array("IHDR".utf8) else { return .failure(.unknown) }
        return sized("png", be32(b, 16), be32(b, 20))
    }

    /// Walks the marker segments to the first start-of-frame (SOF0–SOF15 except DHT, JPG and DAC).
    static func jpeg(_ b: [UInt8]) -> Result<Info, Failure> {
        var i = 2
        while i + 4 <= b.count {
            guard b[i] == 0xFF else { return .failure(.unknown) }
            let marker = b[i + 1]
            if marker == 0xFF { i += 1; continue }  // fill byte
            if marker == 0xD8 || (0xD0...0xD7).contains(marker) || marker == 0x01 { i += 2; continue }
            let length = be16(b, i + 2)
            guard length >= 2 else { return .failure(.unknown) }
            if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) {
                guard i + 9 <= b.count else { return .failure(.truncated) }
                return sized("jpeg", be16(b, i + 7), be16(b, i + 5))
            }
            if marker == 0xD9 || marker == 0xDA { return .failure(.unknown) }  // end or scan before any frame
            i += 2 + length
        }
        return .failure(.truncated)
    }

    /// VP8 (lossy), VP8L (lossless) or VP8X (extended) as the first chunk.
    static func webp(_ b: [UInt8]) -> Result<Info, Failure> {
        guard b.count >= 30 else { return .failure(.truncated) }
        switch String(decoding: b[12..<16], as: UTF8.self) {
        case "VP8 ":
            guard b[23] == 0x9D, b[24] == 0x01, b[25] == 0x2A else { return .failure(.unknown) }
            return sized("webp", le16(b, 26) & 0x3FFF, le16(b, 28) & 0x3FFF)
        case "VP8L":
            guard b[20] == 0x2F else { return .failure(.unknown) }
            let bits = UInt32(b[21]) | UInt32(b[22]) << 8 | UInt32(b[23]) << 16 | UInt32(b[24]) << 24
            return sized("webp", Int(bits & 0x3FFF) + 1, Int((bits >> 14) & 0x3FFF) + 1)
        case "VP8X":
            return sized("webp", le24(b, 24) + 1, le24(b, 27) + 1)
        default:
            return .failure(.unknown)
        }
    }

    private static func sized(_ type: String, _ width: Int, _ height: Int) -> Result<Info, Failure> {
        guard width > 0, height > 0 else { return .failure(.unknown) }
        return .success(Info(type: type, width: width, height: height))
    }

    /// SVG (XML text that mentions an <svg element early) is refused: it can carry scripts.
    private static func looksLikeSVG(_ b: [UInt8]) -> Bool {
        let head = String(decoding: b.prefix(1024), as: UTF8.self).lowercased()
        return head.contains("<svg") || (head.hasPrefix("<?xml") && head.contains("svg"))
    }
}
