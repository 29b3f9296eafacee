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
import AtelierTestSupport
import Foundation
import Testing

@Suite struct ImageVerifierTests {
    /// Writes `bytes` to a file of its own, verifies it as `type` and removes it.
    func verify(_ bytes: [UInt8], as type: String, maxPixels: Int = 25_000_000) throws -> Result<ImageSniffer.Info, ImageVerifier.Failure> {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("verify-\(UUID().uuidString)").path
        try #require(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return ImageVerifier.verify(path: path, type: type, maxPixels: maxPixels)
    }

    /// Bytes that are no image data, the same on every run (never 0xFF, so no JPEG marker either).
    func junk(_ count: Int) -> [UInt8] {
        (0..<count).map { i in
            let byte = UInt8(truncatingIfNeeded: (i &* 2_654_435_761) >> 13)
            return byte == 0xFF ? 0 : byte
        }
    }

    /// Where a JPEG's (last) scan data starts: after the start-of-scan segment.
    func scanStart(_ jpeg: [UInt8]) throws -> Int {
        let sos = try #require((0..<jpeg.count - 3).last { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xDA })
        return sos + 2 + (Int(jpeg[sos + 2]) << 8 | Int(jpeg[sos + 3]))
    }

    @Test func realPNGJPEGAndWebPPassWithTheirSize() throws {
        #expect(try verify(ImageBytes.png(width: 300, height: 200), as: "png") == .success(.init(type: "png", width: 300, height: 200)))
        #expect(try verify(ImageBytes.png(width: 1, height: 1), as: "png") == .success(.init(type: "png", width: 1, height: 1)))
        #expect(try verify(ImageBytes.png(width: 2000, height: 1500), as: "png") == .success(.init(type: "png", width: 2000, height: 1500)))
        #expect(try verify(ImageBytes.smallJPEG, as: "jpeg") == .success(.init(type: "jpeg", width: 24, height: 16)))
        #expect(try verify(ImageBytes.smallWebP, as: "webp") == .success(.init(type: "webp", width: 24, height: 16)))
        #expect(try verify(ImageBytes.smallLosslessWebP, as: "webp") == .success(.init(type: "webp", width: 24, height: 16)))
    }

    @Test func aRealHeaderFollowedByRandomBytesIsCorrupt() throws {
        // Signature and IHDR of a real PNG, then 20 kB of anything.
        #expect(try verify(Array(ImageBytes.png(width: 300, height: 200).prefix(33)) + junk(20_000), as: "png") == .failure(.corrupt))
        let jpeg = ImageBytes.smallJPEG
        let start = try scanStart(jpeg)
        #expect(try verify(Array(jpeg.prefix(start)) + junk(20_000) + [0xFF, 0xD9], as: "jpeg") == .failure(.corrupt))
        #expect(try verify(Array(ImageBytes.smallWebP.prefix(30)) + junk(20_000), as: "webp") == .failure(.corrupt))
        #expect(try verify(Array(ImageBytes.smallLosslessWebP.prefix(25)) + junk(20_000), as: "webp") == .failure(.corrupt))
    }

    @Test func aTruncatedImageIsCorrupt() throws {
        let images = [(ImageBytes.png(width: 300, height: 200), "png"), (ImageBytes.smallJPEG, "jpeg"),
                      (ImageBytes.smallWebP, "webp"), (ImageBytes.smallLosslessWebP, "webp")]
        for (bytes, type) in images {
            for kept in [bytes.count / 2, bytes.count - 10, bytes.count - 1] {
                #expect(try verify(Array(bytes.prefix(kept)), as: type) == .failure(.corrupt), "\(type) cut to \(kept) bytes")
            }
        }
        #expect(try verify([], as: "png") == .failure(.corrupt))
    }

    @Test func aDamagedPNGChunkIsCorrupt() throws {
        var png = ImageBytes.png(width: 64, height: 64)
        png[60] ^= 0x01  // inside IDAT: its CRC no longer matches
        #expect(try verify(png, as: "png") == .failure(.corrupt))
    }

    @Test func aJPEGWithGarbageScanDataIsCorrupt() throws {
        let jpeg = ImageBytes.smallJPEG
        let start = try scanStart(jpeg)
        // The same length of garbage in place of the entropy-coded data, the end-of-image marker kept.
        #expect(try verify(Array(jpeg.prefix(start)) + junk(jpeg.count - 2 - start) + [0xFF, 0xD9], as: "jpeg") == .failure(.corrupt))
    }

    @Test func tooManyPixelsAreRefusedFromTheHeader() throws {
        // 900 million pixels declared: refused without decoding (or allocating) anything.
        #expect(try verify(ImageBytes.pngHeader(width: 30_000, height: 30_000), as: "png", maxPixels: 40_000_000)
            == .failure(.tooManyPixels(width: 30_000, height: 30_000)))
        #expect(try verify(ImageBytes.png(width: 300, height: 200), as: "png", maxPixels: 300 * 200 - 1)
            == .failure(.tooManyPixels(width: 300, height: 200)))
        #expect(try verify(ImageBytes.png(width: 300, height: 200), as: "png", maxPixels: 300 * 200)
            == .success(.init(type: "png", width: 300, height: 200)))
        #expect(try verify(ImageBytes.smallJPEG, as: "jpeg", maxPixels: 100) == .failure(.tooManyPixels(width: 24, height: 16)))
        #expect(try verify(ImageBytes.smallWebP, as: "webp", maxPixels: 100) == .failure(.tooManyPixels(width: 24, height: 16)))
    }

    @Test func theWrongFormatAnUnknownTypeAndAMissingFileAreTold() throws {
        #expect(try verify(ImageBytes.png(width: 30, height: 20), as: "jpeg") == .failure(.corrupt))
        #expect(try verify(ImageBytes.smallJPEG, as: "webp") == .failure(.corrupt))
        #expect(try verify(ImageBytes.smallWebP, as: "png") == .failure(.corrupt))
        #expect(try verify(ImageBytes.png(width: 30, height: 20), as: "gif") == .failure(.unavailable))
        #expect(ImageVerifier.verify(path: "/nonexistent/verify-\(UUID().uuidString)", type: "png", maxPixels: 1_000) == .failure(.io))
    }
}
