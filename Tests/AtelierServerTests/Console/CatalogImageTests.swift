import Atelier
@testable import AtelierServer
import AtelierTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

/// Images staff upload for the catalog: checked as shoppers' uploads are, served as uploaded, publicly and for good,
/// kept by retention while a product shows them and deleted once nothing has for the retention period.
@Suite struct CatalogImageTests {
    @Test func retentionKeepsTheImagesAProductShowsAndDeletesOnesNothingUses() async throws {
        let cipher = PersonalDataCipher.random()
        let captured = Mutex<AtelierConfiguration?>(nil)
        try await withApp(configure: {
            $0.server.seedDemoCatalog = true
            $0.privacy.personalDataKeys = cipher
            captured.withLock { [config = $0] in $0 = config }
        }) { app in
            let configuration = try #require(captured.withLock { $0 })
            let account = try await ConsoleTests().staff(app, "designer@example.com", .designer)
            var browser = ConsoleClient(app)
            #expect(try await browser.signIn("designer@example.com", account.oneTimePassword).status == .seeOther)
            let products = ProductStore(shopCurrency: configuration.catalog.shopCurrency)
            let tee = try #require(try await app.database.withConnection { db in try await products.find("custom-printed-tee", on: db) })
            let token = try #require(ConsoleClient.csrf(in: try await browser.get("/console/products/\(tee.id)").text))

            func upload(_ bytes: [UInt8], alt: String) async throws -> String {
                let answer = try await browser.post("/console/products/\(tee.id)/media", fields: ["csrf": token, "altText": alt],
                                                    file: "image", filename: "\(alt).png", type: "image/png", bytes: bytes)
                #expect(answer.status == .seeOther)
                let media = try #require(try await app.database.withConnection { db in try await products.find(tee.id, on: db) }).definition.media
                let url = try #require(media.last { $0.altText == alt }?.url)
                #expect(url.hasPrefix("/assets/ast_"))
                return String(url.dropFirst("/assets/".count))
            }
            let keptBytes = ImageBytes.png(width: 320, height: 200)
            let kept = try await upload(keptBytes, alt: "Kept")
            let dropped = try await upload(ImageBytes.png(width: 200, height: 320), alt: "Dropped")
            // Not an image: refused before anything is stored.
            let refused = try await browser.post("/console/products/\(tee.id)/media", fields: ["csrf": token, "altText": "Text"],
                                                 file: "image", filename: "notes.png", type: "image/png", bytes: Array("just text".utf8))
            #expect(refused.status == .unsupportedMediaType)
            // The second image leaves the product: nothing uses it any more.
            _ = try await app.database.transaction { db in
                var definition = try #require(try await products.find(tee.id, on: db)).definition
                definition.media.removeAll { $0.url.hasSuffix(dropped) }
                return try await products.replace(id: tee.id, with: definition, on: db)
            }

            // Served as uploaded, for everyone and for good; the id is the ETag, and 304 answers a client that has it.
            let served = try await app.send(.get, "/assets/\(kept)")
            #expect(served.status == .ok && Array(buffer: served.body) == keptBytes)
            #expect(served.headers[.cacheControl] == "public, max-age=31536000, immutable")
            #expect(served.headers[.eTag] == "\"\(kept)\"")
            let again = try await app.send(.get, "/assets/\(kept)", headers: [.ifNoneMatch: "\"\(kept)\""])
            #expect(again.status == .notModified && again.body.readableBytes == 0)
            // A shopper's upload is cached by the browser only (an erasure may delete it).
            let shopper = try await app.client.execute(uri: "/assets", method: .post, headers: [.contentType: "image/png"],
                                                       body: ByteBuffer(bytes: ImageBytes.png(width: 90, height: 90)))
            let shopperId = try #require(try shopper.json()["id"] as? String)
            #expect(try await app.send(.get, "/assets/\(shopperId)").headers[.cacheControl] == "private, max-age=86400")

            let storage = AssetStorageFactory.make(configuration)
            func retention(hoursLater: Double) async throws -> Int {
                let privacy = PrivacyRequests(database: app.database, cipher: cipher, storage: storage, mailFolder: nil,
                                              clock: .fixed(Date().addingTimeInterval(hoursLater * 3600)))
                return try await privacy.applyRetention(RetentionSettings()).assets
            }
            // Within the period (hours: an upload is kept for its session) nothing goes; after it, the unused image and the shopper's upload go, the product's stays.
            #expect(try await retention(hoursLater: 1) == 0)
            #expect(try await retention(hoursLater: Double(RetentionSettings().assetHours) + 1) == 2)
            #expect(try await app.send(.get, "/assets/\(dropped)").status == .notFound)
            #expect(try await app.send(.get, "/assets/\(shopperId)").status == .notFound)
            let still = try await app.send(.get, "/assets/\(kept)")
            #expect(still.status == .ok && Array(buffer: still.body) == keptBytes)
            // The demo catalog's own pictures stay too: they are package resources, not assets.
            let demo = try await app.send(.get, "/demo/tee-front.png")
            #expect(demo.status == .ok && demo.headers[.contentType] == "image/png")
            let etag = try #require(demo.headers[.eTag])
            #expect(try await app.send(.get, "/demo/tee-front.png", headers: [.ifNoneMatch: etag]).status == .notModified)
            let missing = try await app.send(.get, "/demo/nothing.png")
            #expect(missing.status == .notFound && missing.headers[.contentType] == "application/problem+json")
            #expect(try await app.send(.post, "/demo/tee-front.png").status == .methodNotAllowed)
            let rows = try await app.database.withConnection { db in
                try await db.raw("SELECT asset_id FROM catalog_media ORDER BY asset_id").all(decodingColumn: "asset_id", as: String.self)
            }
            #expect(rows == [kept])
        }
    }

    @Test func designersUploadCatalogImagesThroughTheAPI() async throws {
        try await withApp { app in
            let designer = try await app.makeKey(.designer, name: "studio")
            let viewer = try await app.makeKey(.viewer, name: "reader")
            let bytes = ImageBytes.png(width: 240, height: 160)
            func upload(_ body: [UInt8], token: String?) async throws -> TestResponse {
                var headers: HTTPFields = [.contentType: "image/png"]
                if let token { headers[.authorization] = "Bearer \(token)" }
                return try await app.client.execute(uri: "/admin/media", method: .post, headers: headers, body: ByteBuffer(bytes: body))
            }
            let created = try await upload(bytes, token: designer.token)
            #expect(created.status == .created)
            let id = try #require(try created.json()["id"] as? String)
            let served = try await app.send(.get, "/assets/\(id)")
            #expect(Array(buffer: served.body) == bytes && served.headers[.cacheControl] == "public, max-age=31536000, immutable")
            #expect(try await upload(bytes, token: viewer.token).status == .forbidden)
            #expect(try await upload(bytes, token: nil).status == .unauthorized)
            let text = try await upload(Array("<svg xmlns='http://www.w3.org/2000/svg'/>".utf8), token: designer.token)
            #expect(text.status == .unsupportedMediaType && text.headers[.contentType] == "application/problem+json")
        }
    }

    @Test func aProductArchivedInTheConsoleLeavesThePublicCatalogAtOnce() async throws {
        try await withApp(configure: { $0.server.seedDemoCatalog = true }) { app in
            let account = try await ConsoleTests().staff(app, "designer@example.com", .designer)
            var browser = ConsoleClient(app)
            #expect(try await browser.signIn("designer@example.com", account.oneTimePassword).status == .seeOther)
            // The public answer is cached (ETag) before the change.
            let before = try await app.send(.get, "/products/3d-printed-figurine")
            #expect(before.status == .ok && before.headers[.eTag] != nil)
            let id = try #require(try before.json()["id"] as? String)
            let token = try #require(ConsoleClient.csrf(in: try await browser.get("/console/products/\(id)").text))
            #expect(try await browser.post("/console/products/\(id)/archive", form: ["csrf": token]).status == .seeOther)
            // The console's write made this node's cached answer stale: no poll interval to wait for.
            #expect(try await app.send(.get, "/products/3d-printed-figurine").status == .notFound)
        }
    }

    @Test func aMultipartFormIsReadFieldByFieldWithItsFile() {
        let body = Array("""
            --b1\r
            Content-Disposition: form-data; name="csrf"\r
            \r
            token\r
            --b1\r
            Content-Disposition: form-data; name="image"; filename="a.png"\r
            Content-Type: image/png\r
            \r
            \u{1}\u{2}\r\u{3}\r
            --b1--\r

            """.utf8)
        let form = ConsoleForm(multipart: body, boundary: "b1")
        #expect(form?["csrf"] == "token")
        #expect(form?.file("image")?.bytes == [1, 2, 13, 3])
        #expect(form?.file("image")?.filename == "a.png")
        #expect(ConsoleForm.boundary(of: "multipart/form-data; boundary=\"b1\"") == "b1")
        #expect(ConsoleForm(multipart: Array("no parts here".utf8), boundary: "b1") == nil)
    }
}
