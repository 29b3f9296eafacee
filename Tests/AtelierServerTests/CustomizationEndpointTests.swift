import Atelier
@testable import AtelierServer
import AtelierTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SQLKit
import Testing

@Suite struct CustomizationEndpointTests {
    func upload(_ app: TestApp, _ bytes: [UInt8], type: String = "image/png") async throws -> TestResponse {
        try await app.client.execute(uri: "/assets", method: .post, headers: [.contentType: type], body: ByteBuffer(bytes: bytes))
    }

    @Test func uploadsAreRecognizedFromTheirBytesAndStoredOnce() async throws {
        try await withApp { app in
            let bytes = ImageBytes.png(width: 2000, height: 1500)
            // The declared type is not trusted: a PNG sent as JPEG is still a PNG.
            let first = try await upload(app, bytes, type: "image/jpeg")
            #expect(first.status == .created, "\(first.text)")
            let asset = try first.json()
            #expect(asset["type"] as? String == "png")
            #expect(asset["width"] as? Int == 2000)
            let again = try await upload(app, bytes, type: "application/octet-stream")
            #expect(again.status == .created)  // the same answer whether or not the bytes were stored before
            #expect(try again.json()["id"] as? String == asset["id"] as? String)

            let fetched = try await app.send(.get, asset["url"] as! String)
            #expect(fetched.status == .ok)
            #expect(fetched.headers[.contentType] == "image/png")
            #expect(Array(fetched.body.readableBytesView) == bytes)

            let svg = try await upload(app, Array(#"<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>"#.utf8), type: "image/png")
            #expect(svg.status == .unsupportedMediaType)
            #expect(svg.problemCode == "unsupported_image_type")
            #expect(try await upload(app, Array("hello".utf8)).problemCode == "unsupported_image_type")
            // A text file that claims to be a PNG, and a PNG whose header promises an absurd size.
            #expect(try await upload(app, Array("just text, honest".utf8), type: "image/png").status == .unsupportedMediaType)
            // Refused from the header alone, before any decoding.
            let huge = try await upload(app, ImageBytes.pngHeader(width: 40_000, height: 10))
            #expect(huge.status == .unprocessableContent)
            #expect(huge.problemCode == "image_too_large")
            // A real header followed by anything but image data does not decode.
            let junk = (0..<20_000).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 13) }
            let fake = try await upload(app, Array(ImageBytes.png(width: 300, height: 200).prefix(33)) + junk)
            #expect(fake.status == .unsupportedMediaType)
            #expect(fake.problemCode == "unsupported_image_type")
            #expect(try await upload(app, Array(ImageBytes.png(width: 10, height: 10).prefix(20))).problemCode == "unsupported_image_type")
            #expect(try await app.send(.get, "/assets/ast_nothing").status == .notFound)
        }
    }

    @Test func jpegAndWebPUploadsAreDecodedToo() async throws {
        try await withApp { app in
            for (bytes, type) in [(ImageBytes.smallJPEG, "jpeg"), (ImageBytes.smallWebP, "webp"), (ImageBytes.smallLosslessWebP, "webp")] {
                let created = try await upload(app, bytes, type: "application/octet-stream")
                #expect(created.status == .created, "\(created.text)")
                let asset = try created.json()
                #expect(asset["type"] as? String == type)
                #expect(asset["width"] as? Int == 24)
                #expect(asset["height"] as? Int == 16)
            }
            // Cut short, each is refused.
            for bytes in [ImageBytes.smallJPEG, ImageBytes.smallWebP, ImageBytes.png(width: 64, height: 64)] {
                #expect(try await upload(app, Array(bytes.dropLast(10))).problemCode == "unsupported_image_type")
            }
        }
    }

    @Test(.enabled(if: S3Peer.settings != nil, "set ATELIER_TEST_S3_* (scripts/s3-peer.py) to run"))
    func uploadsGoToTheS3StoreWhenOneIsConfigured() async throws {
        let settings = try #require(S3Peer.settings)
        try await withApp(configure: { $0.assets.s3 = settings }) { app in
            let bytes = ImageBytes.png(width: 300, height: 200)
            let created = try await upload(app, bytes)
            #expect(created.status == .created, "\(created.text)")
            let id = try created.json()["id"] as! String
            // The bytes are in the bucket, not in the data folder.
            let stored = try await S3AssetStorage(settings: settings).get(key: String(id.dropFirst(4)))
            #expect(stored == bytes)
            let fetched = try await app.send(.get, "/assets/\(id)")
            #expect(Array(fetched.body.readableBytesView) == bytes)
        }
    }

    @Test func uploadsAboveTheAssetLimitAre413() async throws {
        try await withApp(configure: { $0.assets.maxAssetBytes = 4096 }) { app in
            let big = ImageBytes.png(width: 10, height: 10) + Array(repeating: 0, count: 5000)
            let response = try await upload(app, big)
            #expect(response.status == .contentTooLarge)
            #expect(response.problemCode == "content_too_large")
        }
    }

    @Test func aSessionAnswersItsPriceAndEveryErrorAndRendersAPreviewOnce() async throws {
        try await withApp(configure: { $0.server.seedDemoCatalog = true }) { app in
            let created = try await app.send(.post, "/sessions", json: #"""
                {"product": "custom-printed-tee", "selection": {"size": "xl"},
                 "zones": {"chest_text": {"text": {"text": "\u0007bell", "font": "Comic Sans MS"}}, "artwork": {"image": "ast_missing"}}}
                """#)
            #expect(created.status == .created, "\(created.text)")
            var session = try created.json()
            let id = try #require(session["id"] as? String)
            #expect(session["templateVersion"] as? Int == 1)
            #expect(session["valid"] as? Bool == false)
            let errors = Set(((session["errors"] as? [[String: String]]) ?? []).map { "\($0["code"]!) \($0["pointer"]!)" })
            #expect(errors == [
                "missing_dimension /selection/colour", "control_characters /zones/chest_text/text/text",
                "font_not_allowed /zones/chest_text/text/font", "unknown_asset /zones/artwork/image",
            ])
            let early = try await app.send(.post, "/sessions/\(id)/preview")
            #expect(early.status == .unprocessableContent)
            #expect(early.problemCode == "session_invalid")

            let image = try await upload(app, ImageBytes.png(width: 1400, height: 1400)).json()
            let fixed = try await app.send(.patch, "/sessions/\(id)", json: #"""
                {"selection": {"size": "xl", "colour": "navy"},
                 "zones": {"chest_text": {"text": {"text": "<b>Ada</b> & co", "font": "Oswald", "colour": "#ffffff"}},
                           "artwork": {"image": "\#(image["id"] as! String)"}}}
                """#)
            session = try fixed.json()
            #expect(session["valid"] as? Bool == true, "\(session)")
            // 1900 + XL 200 + text zone 300 + image zone 500
            #expect((session["unitPrice"] as? [String: Any])?["amount"] as? Int == 1900 + 200 + 300 + 500)
            #expect(session["leadTimeDays"] as? Int == 3)

            let requested = try await app.send(.post, "/sessions/\(id)/preview")
            #expect(requested.status == .accepted)
            let jobID = try requested.json()["jobId"] as? String
            #expect(try await app.send(.post, "/sessions/\(id)/preview").json()["jobId"] as? String == jobID)

            // The in-process worker renders it.
            var preview: [String: Any] = [:]
            for _ in 0..<100 {
                preview = try await app.send(.get, "/sessions/\(id)").json()["preview"] as? [String: Any] ?? [:]
                if preview["status"] as? String == "ready" { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(preview["status"] as? String == "ready")
            let svg = try await app.send(.get, try #require(preview["url"] as? String))
            #expect(svg.headers[.contentType] == "image/svg+xml")
            #expect(svg.text.contains("&lt;b&gt;Ada&lt;/b&gt; &amp; co"))
            #expect(!svg.text.contains("<b>"))
        }
    }

    @Test func expiredSessionsAnswer410() async throws {
        try await withApp(configure: { $0.server.seedDemoCatalog = true }) { app in
            let id = try await app.send(.post, "/sessions", json: #"{"product": "3d-printed-figurine"}"#).json()["id"] as! String
            try await app.database.withConnection { db in
                try await db.update("customization_sessions").set("expires_at", to: Date(timeIntervalSinceNow: -10))
                    .where("id", .equal, id).run()
            }
            let response = try await app.send(.get, "/sessions/\(id)")
            #expect(response.status == .gone)
            #expect(response.problemCode == "session_expired")
            #expect(try await app.send(.patch, "/sessions/\(id)", json: "{}").status == .gone)
            #expect(try await app.send(.get, "/sessions/ses_00000000000000000000000000").status == .notFound)
            #expect(try await app.send(.post, "/sessions", json: #"{"product": "no-such-thing"}"#).status == .notFound)
        }
    }
}
