import Atelier
@testable import AtelierServer
import AtelierTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

@Suite struct PrivacyEndpointTests {
    static let ada = #"""
        {"contact": {"email": "Ada.Lovelace@example.com", "name": "Ada Lovelace", "phone": "+44 20 7946 0000"},
         "shippingAddress": {"name": "Ada Lovelace", "line1": "12 Marylebone Road", "city": "London", "postalCode": "NW1 5LR", "country": "GB"},
         "shippingMethod": "standard", "payment": {"provider": "test"}}
        """#
    static let grace = CheckoutEndpointTests.checkoutBody
    /// What must not survive Ada's erasure: contact details, the address, her engraving, her email's lookup hash.
    static let traces = ["ada.lovelace@example.com", "Ada Lovelace", "Lovelace", "7946 0000", "Marylebone", "NW1 5LR", "To my dear Ada"]

    /// A tee with Ada's text and (optionally) her photo, checked out with `customer` and paid; answers the order id.
    func buy(_ app: TestApp, customer: String, text: String, image: String?) async throws -> String {
        let artwork = image.map { #", "artwork": {"image": "\#($0)"}"# } ?? ""
        let session = try await app.send(.post, "/sessions", json: #"""
            {"product": "custom-printed-tee", "selection": {"size": "xl", "colour": "navy"},
             "zones": {"chest_text": {"text": {"text": "\#(text)", "font": "Inter"}}\#(artwork)}}
            """#)
        #expect(session.status == .created, "\(session.text)")
        let sessionId = try #require(try session.json()["id"] as? String)
        let added = try await app.send(.post, "/cart/items", json: #"{"sessionId": "\#(sessionId)"}"#)
        #expect(added.status == .created, "\(added.text)")
        let key = try #require(added.headers[.sessionKey])
        let started = try await app.send(.post, "/checkout", json: customer, headers: [.sessionKey: key, HTTPField.Name("Idempotency-Key")!: UUID().uuidString])
        #expect(started.status == .created, "\(started.text)")
        let answer = try started.json()
        let token = try #require(answer["accessToken"] as? String)
        let id = try #require((answer["checkout"] as? [String: Any])?["id"] as? String)
        let paid = try await app.send(.post, "/checkout/\(id)/test-payment?token=\(token)", json: #"{"outcome": "succeeded"}"#)
        return try #require((try paid.json()["checkout"] as? [String: Any])?["orderId"] as? String)
    }

    func ship(_ app: TestApp, _ orderId: String, token: String) async throws {
        for step in [#"{"to": "in_production"}"#, #"{"to": "fulfilled"}"#, #"{"to": "shipped", "tracking": {"carrier": "DHL", "number": "JD0001"}}"#] {
            let moved = try await app.send(.post, "/admin/orders/\(orderId)/transitions", token: token, json: step)
            #expect(moved.status == .ok, "\(moved.text)")
        }
    }

    @Test func erasureLeavesNoTraceInTheDatabaseOrAssetsAndKeepsTheAccounts() async throws {
        let cipher = PersonalDataCipher.random()
        let captured = Mutex<AtelierConfiguration?>(nil)
        try await withApp(configure: {
            $0.server.seedDemoCatalog = true
            $0.privacy.personalDataKeys = cipher
            captured.withLock { [config = $0] in $0 = config }
        }) { app in
            let configuration = try #require(captured.withLock { $0 })
            let photo = ImageBytes.png(width: 1300, height: 1300)
            let uploaded = try await app.client.execute(uri: "/assets", method: .post, headers: [.contentType: "image/png"], body: ByteBuffer(bytes: photo))
            let assetId = try #require(try uploaded.json()["id"] as? String)

            let shipped = try await buy(app, customer: Self.ada, text: "To my dear Ada", image: assetId)
            let open = try await buy(app, customer: Self.ada, text: "To my dear Ada", image: assetId)
            let other = try await buy(app, customer: Self.grace, text: "Hi Grace", image: nil)
            try await ship(app, shipped, token: app.adminToken)
            let today = String(Date().ISO8601Format().prefix(10))
            let reportPath = "/reports/sales?from=2020-01-01&to=\(today)&interval=month"
            let reportBefore = try await app.send(.get, reportPath, token: app.adminToken).json()["summary"] as? [String: Any]
            #expect(reportBefore?["orders"] as? Int == 3)

            func dump() async throws -> String { try await app.database.withConnection { db in try await DatabaseDump.text(db, opening: cipher) } }
            func assetFiles() throws -> [Data] {
                guard let walker = FileManager.default.enumerator(at: configuration.server.assetDirectory, includingPropertiesForKeys: nil) else { return [] }
                return walker.compactMap { $0 as? URL }.compactMap { try? Data(contentsOf: $0) }
            }
            let lookupHash = cipher.lookupHash(email: "ada.lovelace@example.com")
            let before = try await dump()
            for trace in Self.traces + [lookupHash] { #expect(before.localizedCaseInsensitiveContains(trace), "the test should see \(trace) first") }
            #expect(try assetFiles().contains(Data(photo)))

            // The export holds everything about her, and nothing about Grace.
            let exported = try await app.send(.post, "/admin/privacy/export", token: app.adminToken, json: #"{"email": "ADA.lovelace@example.com"}"#)
            #expect(exported.status == .ok)
            let document = try exported.json()
            #expect((document["orders"] as? [[String: Any]])?.compactMap { $0["id"] as? String }.sorted() == [shipped, open].sorted())
            #expect(exported.text.contains("Marylebone") && exported.text.contains("To my dear Ada") && exported.text.contains(assetId))
            #expect(!exported.text.contains("Grace"))
            #expect((document["carts"] as? [Any])?.count == 2 && (document["checkouts"] as? [Any])?.count == 2)
            #expect(try await app.send(.post, "/admin/privacy/export", token: try await app.makeKey(.operations).token,
                                       json: #"{"email": "ada.lovelace@example.com"}"#).status == .forbidden)

            let erased = try await app.send(.post, "/admin/privacy/erase", token: app.adminToken, json: #"{"email": "ada.lovelace@example.com"}"#)
            #expect(erased.status == .ok, "\(erased.text)")
            let summary = try erased.json()
            #expect(summary["ordersErased"] as? Int == 1 && summary["ordersPending"] as? Int == 1)
            #expect(summary["cartsDeleted"] as? Int == 2)
            // The open order still needs her address and photo to be made and sent.
            #expect(try await dump().contains("Marylebone"))
            #expect(try assetFiles().contains(Data(photo)))

            // It ships; the retention job erases it.
            try await ship(app, open, token: app.adminToken)
            let storage = AssetStorageFactory.make(configuration)
            let privacy = PrivacyRequests(configuration: configuration, database: app.database, cipher: cipher, storage: storage)
            #expect(try await privacy.erasePending() == 1)

            let after = try await dump()
            for trace in Self.traces + [lookupHash] { #expect(!after.localizedCaseInsensitiveContains(trace), "\(trace) is still in the database") }
            #expect(!(try assetFiles().contains(Data(photo))), "the photo is still in the asset folder")
            #expect(after.contains("Grace Hopper") && after.contains(other))  // others are untouched
            // The accounts: same totals, orders still there with amounts and lines.
            let reportAfter = try await app.send(.get, reportPath, token: app.adminToken).json()["summary"] as? [String: Any]
            #expect(NSDictionary(dictionary: reportAfter ?? [:]).isEqual(to: reportBefore ?? [:]))
            let kept = try await app.send(.get, "/admin/orders/\(shipped)", token: app.adminToken).json()
            #expect((kept["order"] as? [String: Any])?["status"] as? String == "shipped" || kept["status"] as? String == "shipped")

            // Again: nothing left to erase, nothing changes; both requests are in the audit log.
            let again = try await app.send(.post, "/admin/privacy/erase", token: app.adminToken, json: #"{"email": "ada.lovelace@example.com"}"#).json()
            #expect(again["ordersErased"] as? Int == 0 && again["cartsDeleted"] as? Int == 0 && again["assetsDeleted"] as? Int == 0)
            let audit = try await app.database.withConnection { db in
                try await db.raw("SELECT kind FROM privacy_requests ORDER BY id").all(decodingColumn: "kind", as: String.self)
            }
            #expect(audit == ["export", "erase", "erase", "erase"])  // the request, the shipped order erased later, the repeat
            let emptied = try await app.send(.post, "/admin/privacy/export", token: app.adminToken, json: #"{"email": "ada.lovelace@example.com"}"#).json()
            #expect((emptied["orders"] as? [Any])?.isEmpty == true)

            #expect(try await app.send(.post, "/admin/privacy/erase", token: app.adminToken, json: #"{"email": "nobody"}"#).status == .unprocessableContent)
        }
    }

    @Test func retentionDeletesWhatNobodyNeedsOnceItsPeriodHasRunOut() async throws {
        let cipher = PersonalDataCipher.random()
        let captured = Mutex<AtelierConfiguration?>(nil)
        try await withApp(configure: {
            $0.server.seedDemoCatalog = true
            $0.privacy.personalDataKeys = cipher
            captured.withLock { [config = $0] in $0 = config }
        }) { app in
            let configuration = try #require(captured.withLock { $0 })
            func upload(_ side: Int) async throws -> String {
                let response = try await app.client.execute(uri: "/assets", method: .post, headers: [.contentType: "image/png"],
                                                            body: ByteBuffer(bytes: ImageBytes.png(width: side, height: side)))
                return try #require(try response.json()["id"] as? String)
            }
            let unused = try await upload(1250)
            let ordered = try await upload(1300)
            _ = try await buy(app, customer: Self.grace, text: "Hi Grace", image: ordered)
            // An abandoned checkout: started, then cancelled by the shopper.
            let added = try await app.send(.post, "/cart/items", json: #"{"product": "3d-printed-figurine", "selection": {"size": "large", "material": "resin", "colour": "red"}}"#)
            let key = try #require(added.headers[.sessionKey])
            let started = try await app.send(.post, "/checkout", json: Self.ada, headers: [.sessionKey: key, HTTPField.Name("Idempotency-Key")!: "abandon-1"]).json()
            let checkoutId = try #require((started["checkout"] as? [String: Any])?["id"] as? String)
            let token = try #require(started["accessToken"] as? String)
            #expect(try await app.send(.post, "/checkout/\(checkoutId)/cancel", headers: [HTTPField.Name("X-Access-Token")!: token]).status == .ok)

            let mail = FileManager.default.temporaryDirectory.appendingPathComponent("atelier-mail-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: mail, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: mail) }
            for (name, age) in [("old.eml", 100.0), ("recent.eml", 10.0)] {
                let path = mail.appendingPathComponent(name).path
                FileManager.default.createFile(atPath: path, contents: Data("Subject: x\r\n".utf8))
                try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-age * 86_400)], ofItemAtPath: path)
            }
            let storage = AssetStorageFactory.make(configuration)
            func privacy(daysLater: Double) -> PrivacyRequests {
                PrivacyRequests(database: app.database, cipher: cipher, storage: storage, mailFolder: mail.path,
                                clock: .fixed(Date().addingTimeInterval(daysLater * 86_400)))
            }
            // Within the periods nothing goes, except the email copy older than 90 days.
            #expect(try await privacy(daysLater: 0).applyRetention(RetentionSettings()) == (0, 0, 1))
            let later = try await privacy(daysLater: 31).applyRetention(RetentionSettings())
            #expect(later == (1, 1, 0))
            let remaining = try await app.database.withConnection { db in
                (try await db.raw("SELECT id FROM assets ORDER BY id").all(decodingColumn: "id", as: String.self),
                 try await db.raw("SELECT status FROM checkouts ORDER BY id").all(decodingColumn: "status", as: String.self))
            }
            #expect(!remaining.0.contains(unused) && remaining.0.contains(ordered))  // the order still uses its photo
            #expect(remaining.1 == ["paid"])
            #expect(try await app.send(.get, "/assets/\(unused)").status == .notFound)
            #expect(try await app.send(.get, "/assets/\(ordered)").status == .ok)
        }
    }
}
