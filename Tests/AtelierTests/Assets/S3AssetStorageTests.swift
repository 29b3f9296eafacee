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

@Suite struct SigV4Tests {
    /// The "GET Object" example of AWS's Signature Version 4 documentation for S3.
    @Test func matchesAWSsPublishedExample() {
        let signer = SigV4(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", region: "us-east-1")
        let headers = signer.sign(
            method: "GET", path: "/test.txt",
            headers: ["Host": "examplebucket.s3.amazonaws.com", "Range": "bytes=0-9"],
            payloadSHA256: SigV4.sha256Hex([]),
            date: Date(timeIntervalSince1970: 1_369_353_600)  // 2013-05-24T00:00:00Z
        )
        #expect(headers["Authorization"] == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        #expect(headers["x-amz-date"] == "20130524T000000Z")
    }

    @Test func buildsPathStyleAndVirtualHostedURLs() {
        var settings = S3Settings(endpoint: URL(string: "http://127.0.0.1:9000")!, bucket: "shop", region: "us-east-1",
                                  accessKeyID: "a", secretAccessKey: "b", pathStyle: true)
        #expect(S3AssetStorage(settings: settings).location(of: "ab cd").url == "http://127.0.0.1:9000/shop/assets/ab%20cd")
        settings.endpoint = URL(string: "https://s3.eu-west-1.amazonaws.com")!
        settings.pathStyle = false
        let location = S3AssetStorage(settings: settings).location(of: "abc")
        #expect(location.url == "https://shop.s3.eu-west-1.amazonaws.com/assets/abc")
        #expect(location.host == "shop.s3.eu-west-1.amazonaws.com")
        #expect(location.path == "/assets/abc")
    }
}

/// Against a real S3 peer: moto_server with signature checking on (`scripts/s3-peer.py`, started by CI).
@Suite(.enabled(if: S3Peer.settings != nil, "set ATELIER_TEST_S3_* (scripts/s3-peer.py) to run"))
struct S3AssetStorageTests {

    @Test func storesReadsAndDeletesObjects() async throws {
        let storage = S3AssetStorage(settings: try #require(S3Peer.settings))
        let bytes = ImageBytes.png(width: 64, height: 32)
        let key = String(AssetIdentity.unkeyed.id(for: bytes).dropFirst(4))
        #expect(try await storage.get(key: key) == nil)
        try await storage.put(key: key, bytes: bytes, contentType: "image/png")
        #expect(try await storage.get(key: key) == bytes)
        try await storage.delete(key: key)
        #expect(try await storage.get(key: key) == nil)
    }

    @Test func aWrongSecretIsRefusedByTheStore() async throws {
        var settings = try #require(S3Peer.settings)
        settings.secretAccessKey = "not-the-secret"
        let storage = S3AssetStorage(settings: settings)
        let error = await #expect(throws: S3AssetStorage.Failure.self) {
            try await storage.put(key: "x", bytes: [1, 2, 3], contentType: "image/png")
        }
        #expect(error?.status == 403)
        #expect(error?.code == "SignatureDoesNotMatch")
    }
}
