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
import Testing

@Suite struct ImageSnifferTests {
    @Test func recognizesPNGJPEGAndWebPWithTheirSize() throws {
        #expect(try ImageSniffer.sniff(ImageBytes.pngHeader(width: 1200, height: 800)).get() == .init(type: "png", width: 1200, height: 800))
        #expect(try ImageSniffer.sniff(ImageBytes.jpegHeader(width: 640, height: 480)).get() == .init(type: "jpeg", width: 640, height: 480))
        #expect(try ImageSniffer.sniff(ImageBytes.webpExtendedHeader(width: 3000, height: 2000)).get() == .init(type: "webp", width: 3000, height: 2000))
        #expect(try ImageSniffer.sniff(ImageBytes.webpLosslessHeader(width: 16, height: 9)).get() == .init(type: "webp", width: 16, height: 9))
        // The complete images tests upload are sniffed the same way.
        #expect(try ImageSniffer.sniff(ImageBytes.png(width: 300, height: 200)).get() == .init(type: "png", width: 300, height: 200))
        #expect(try ImageSniffer.sniff(ImageBytes.smallJPEG).get() == .init(type: "jpeg", width: 24, height: 16))
        #expect(try ImageSniffer.sniff(ImageBytes.smallWebP).get() == .init(type: "webp", width: 24, height: 16))
        #expect(try ImageSniffer.sniff(ImageBytes.smallLosslessWebP).get() == .init(type: "webp", width: 24, height: 16))
    }

    @Test func refusesSVGGIFAndAnythingElseWhateverItClaims() {
        #expect(ImageSniffer.sniff(Array(#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#.utf8))
            == .failure(.unsupported("svg")))
        #expect(ImageSniffer.sniff(Array("  <svg onload=alert(1)>".utf8)) == .failure(.unsupported("svg")))
        #expect(ImageSniffer.sniff(Array("GIF89a....".utf8)) == .failure(.unsupported("gif")))
        #expect(ImageSniffer.sniff(Array("not an image at all".utf8)) == .failure(.unknown))
        #expect(ImageSniffer.sniff(Array(ImageBytes.pngHeader(width: 10, height: 10).prefix(20))) == .failure(.truncated))
        #expect(ImageSniffer.sniff(ImageBytes.pngHeader(width: 0, height: 10)) == .failure(.unknown))
    }
}
