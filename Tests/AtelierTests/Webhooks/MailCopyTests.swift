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

/// Copies of sent emails on disk are sealed: the folder holds no name, email, address or order in the clear.
@Suite struct MailCopyTests {
    @Test func aCopyOnDiskIsSealedAndOpensWithTheKeys() async throws {
        try await TestDatabase.with { database in
            let fulfillment = FulfillmentTests()
            let cipher = fulfillment.checkouts.cipher
            let order = try await fulfillment.paidOrder(database)
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("atelier-mail-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            // The transport as the delivery service sets it up when no SMTP relay is configured.
            let service = EventDeliveryService(
                database: database, subscriptions: WebhookSubscriptionStore(cipher: cipher, guardrail: AddressGuard(allowPrivate: true)),
                settings: WebhookSettings(),
                mail: MailSettings(from: "Shop <orders@shop.example>", shopName: "Shop", trackingBaseURL: "https://shop.example",
                                   transport: .files(folder.path)),
                logger: .init(label: "test"))
            let mail = try #require(service.channels[.mail] as? MailChannel)
            let (composer, transport) = (mail.composer, mail.transport)
            @Sendable func delivery(_ eventId: String) -> EventDelivery {
                EventDelivery(id: "whd_\(eventId)", subscriptionId: "whs_1", eventId: eventId, eventType: "order.created", seq: 1,
                              aggregateId: order.id, payload: "{}", status: .pending, attempts: 0, nextAttemptAt: Date(), lastStatus: nil,
                              lastError: nil, createdAt: Date(), completedAt: nil)
            }
            let receipt = try #require(try await database.withConnection { db in try await composer.message(for: delivery("evt_receipt1"), on: db) })
            #expect(receipt.to == "Ada Lovelace <Ada.Lovelace@example.com>")
            _ = try await transport.send(receipt)
            // Sent again after a crash: the same file, replaced.
            _ = try await transport.send(receipt)

            let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            #expect(names.count == 1)
            let name = try #require(names.first)
            #expect(name.hasSuffix(".eml.sealed") && name.contains("evt_receipt1") && FileMailTransport.isCopy(name))
            let file = folder.appendingPathComponent(name)
            let onDisk = String(decoding: try Data(contentsOf: file), as: UTF8.self)
            #expect(onDisk.hasPrefix("v1.k1."))
            for detail in ["Ada.Lovelace@example.com", "Ada Lovelace", "Lovelace", "Marylebone", "NW1 5LR", order.number, "Your order"] {
                #expect(!onDisk.lowercased().contains(detail.lowercased()), "\(detail) is on disk in the clear")
            }
            let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
            let permissions = attributes[.posixPermissions].flatMap { ($0 as? Int) ?? ($0 as? NSNumber)?.intValue }
            #expect(permissions == 0o600)

            // With the keys, the copy is the message as it was sent; with other keys it opens to nothing.
            let opened = try FileMailTransport.open(file, cipher: cipher)
            #expect(opened == receipt.mime())
            #expect(opened.contains("To: Ada Lovelace <Ada.Lovelace@example.com>") && opened.contains(order.number))
            #expect(throws: (any Error).self) { try FileMailTransport.open(file, cipher: .random()) }

            // Retention deletes sealed copies (and plain ones from before) once they are old; erasure deletes a person's.
            let privacy = PrivacyRequests(database: database, cipher: cipher, storage: LocalAssetStorage(root: folder.appendingPathComponent("assets")),
                                          mailFolder: folder.path, clock: .fixed(Date().addingTimeInterval(91 * 86_400)))
            let plain = folder.appendingPathComponent("1700000000-evt_plain.eml")
            FileManager.default.createFile(atPath: plain.path, contents: Data("Subject: x\r\n".utf8))
            _ = try await transport.send(try #require(try await database.withConnection { db in
                try await composer.message(for: delivery("evt_receipt2"), on: db)
            }))
            #expect(privacy.deleteMailCopies(eventIds: ["evt_receipt2"]) == 1)
            #expect(try await privacy.applyRetention(RetentionSettings()).mail == 2)
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter(FileMailTransport.isCopy).isEmpty)
        }
    }
}
