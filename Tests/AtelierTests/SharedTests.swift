import Atelier
import Foundation
import Testing

@Suite struct SharedTests {
    @Test func identifiersAreWellFormedAndSortByCreationTime() {
        let earlier = Identifier.make(prefix: "key", at: Date(timeIntervalSince1970: 1_700_000_000))
        let later = Identifier.make(prefix: "key", at: Date(timeIntervalSince1970: 1_700_000_000.001))
        #expect(Identifier.isWellFormed(earlier, prefix: "key"))
        #expect(earlier < later)
        #expect(!Identifier.isWellFormed(earlier, prefix: "ord"))
        #expect(!Identifier.isWellFormed("key_" + String(repeating: "!", count: 26), prefix: "key"))
        let many = Set((0..<1000).map { _ in Identifier.make(prefix: "x") })
        #expect(many.count == 1000)
    }

    @Test func pageRequestsValidateLimitAndCursor() throws {
        #expect(try PageRequest(limit: nil, cursor: nil) == PageRequest(limit: 20))
        let cursor = PageRequest.cursor(for: "key_abc")
        #expect(try PageRequest(limit: 5, cursor: cursor).after == "key_abc")
        for limit in [0, -1, 101] {
            let error = #expect(throws: AtelierError.self) { try PageRequest(limit: limit, cursor: nil) }
            #expect(error?.errors.first?.pointer == "/limit")
        }
        let error = #expect(throws: AtelierError.self) { try PageRequest(limit: 10, cursor: "%%%") }
        #expect(error?.errors.first?.pointer == "/cursor")
    }

    @Test func constantTimeComparisonIsStillAComparison() {
        #expect(Secret.constantTimeEquals("abc", "abc"))
        #expect(!Secret.constantTimeEquals("abc", "abd"))
        #expect(!Secret.constantTimeEquals("abc", "abcd"))
    }

    /// Hex and base64url are written by hand (no formatter, no string search): they must match the standard forms.
    @Test func hexAndBase64URLMatchTheStandardEncodings() {
        #expect(Hex.string([0x00, 0x0f, 0xab, 0xff]) == "000fabff")
        #expect(Hex.string([UInt8]()) == "")
        // FIPS 180-2's example digest of "abc".
        #expect(Secret.sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        for length in 0..<40 {
            let data = Data((0..<length).map { UInt8(truncatingIfNeeded: $0 &* 67 &+ 251) })
            let standard = data.base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            #expect(data.base64URLEncoded() == standard)
            #expect(Data(base64URLEncoded: standard) == data)
        }
        #expect(Data(base64URLEncoded: "a") == nil)
    }
}
