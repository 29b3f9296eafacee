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

@Suite struct MailTests {
    @Test func messagesAreMultipartSevenBitWithEncodedHeaders() throws {
        let message = MailMessage(from: "Atelier Shop <orders@shop.example>", to: "Zoë Ünal <zoe@example.com>", subject: "Ihre Bestellung ist unterwegs ✓",
                                  text: "Grüße\n.a line with a dot", html: "<p>Grüße</p>", messageId: "<evt_1@shop.example>",
                                  date: Date(timeIntervalSince1970: 1_795_000_000))
        let mime = message.mime()
        #expect(mime.unicodeScalars.allSatisfy { $0.isASCII })
        #expect(mime.contains("\r\nTo: =?utf-8?B?\(Data("Zoë Ünal".utf8).base64EncodedString())?= <zoe@example.com>\r\n"))
        #expect(mime.contains("Subject: =?utf-8?B?"))
        #expect(mime.contains("Message-ID: <evt_1@shop.example>\r\n"))
        #expect(mime.contains("Date: Wed, 18 Nov 2026 11:06:40 +0000\r\n"))
        #expect(mime.components(separatedBy: "Content-Transfer-Encoding: base64").count == 3)
        let boundary = try #require(mime.range(of: "boundary=\"").map { mime[$0.upperBound...].prefix { $0 != "\"" } })
        #expect(mime.hasSuffix("--\(boundary)--\r\n"))
        #expect(mime.split(separator: "\r\n").allSatisfy { $0.count <= 998 })
        // Header injection through a name is impossible: line breaks become spaces.
        #expect(!MailMessage.encodeHeader("Eve\r\nBcc: x@example.com").contains("\r\n"))
        #expect(MailMessage.address(of: "Atelier Shop <orders@shop.example>") == "orders@shop.example")
        #expect(MailMessage.address(of: "orders@shop.example") == "orders@shop.example")
    }

    @Test func aDeliveryLeaseOutlastsTheSlowestSMTPSend() async throws {
        let relay = try #require(SMTPSettings.parse("smtp://shop:pw@mail.example:587", caFile: nil).0)
        let subscriptions = WebhookSubscriptionStore(cipher: .random(), guardrail: AddressGuard(allowPrivate: true))
        let mail = MailSettings(from: "Shop <orders@shop.example>", shopName: "Shop", trackingBaseURL: "https://shop.example", transport: .smtp(relay))
        try await TestDatabase.with(migrate: false) { database in
            let service = EventDeliveryService(database: database, subscriptions: subscriptions, settings: WebhookSettings(),
                                               mail: mail, logger: .init(label: "test"))
            // 10 s to connect and 30 s for the exchange: another worker must not take the delivery over meanwhile.
            #expect(service.lease > Double(SMTPTransport(settings: relay).longestSend.components.seconds))
        }
    }

    @Test func smtpURLsNameTheRelayAndItsSecurity() {
        let (relay, _) = SMTPSettings.parse("smtp://shop:s3cret%20pass@mail.example:2525", caFile: "/etc/ca.pem")
        #expect(relay == SMTPSettings(host: "mail.example", port: 2525, username: "shop", password: "s3cret pass", security: .startTLS, caFile: "/etc/ca.pem"))
        #expect(SMTPSettings.parse("smtps://mail.example", caFile: nil).0?.port == 465)
        #expect(SMTPSettings.parse("smtps://mail.example", caFile: nil).0?.security == .implicitTLS)
        #expect(SMTPSettings.parse("smtp://localhost:25?starttls=off", caFile: nil).0?.security == SMTPSettings.Security.none)
        #expect(SMTPSettings.parse("http://mail.example", caFile: nil).0 == nil)
        #expect(AddressGuard.isLiteralAddress("127.0.0.1") && AddressGuard.isLiteralAddress("[::1]") && !AddressGuard.isLiteralAddress("mail.example"))
    }

    @Test func anOrderMakesAReceiptAndOnlyTheRightEventsMakeEmails() async throws {
        try await TestDatabase.with { database in
            let fulfillment = FulfillmentTests()
            let order = try await fulfillment.paidOrder(database)
            let composer = MailComposer(settings: .init(from: "Shop <orders@shop.example>", shopName: "Shop", trackingBaseURL: "https://shop.example/",
                                                        transport: .files("/tmp")),
                                        cipher: fulfillment.checkouts.cipher)
            func delivery(_ type: String, _ payload: String) -> EventDelivery {
                EventDelivery(id: "whd_1", subscriptionId: "whs_1", eventId: "evt_1", eventType: type, seq: 1, aggregateId: order.id,
                              payload: payload, status: .pending, attempts: 0, nextAttemptAt: Date(), lastStatus: nil, lastError: nil,
                              createdAt: Date(), completedAt: nil)
            }
            let (created, other, production) = (delivery("order.created", "{}"), delivery("payment.succeeded", "{}"),
                                                 delivery("order.status_changed", #"{"data": {"to": "in_production"}}"#))
            let (receipt, none, alsoNone) = try await database.withConnection { db in
                (try await composer.message(for: created, on: db), try await composer.message(for: other, on: db),
                 try await composer.message(for: production, on: db))
            }
            #expect(none == nil && alsoNone == nil)
            let message = try #require(receipt)
            #expect(message.to == "Ada Lovelace <Ada.Lovelace@example.com>" && message.subject == "Your order \(order.number) is confirmed")
            #expect(message.messageId == "<evt_1@shop.example>")
            // The access token was sealed at checkout and opens the order from the link.
            let link = String(try #require(message.text.split(whereSeparator: \.isWhitespace).first { $0.contains("/orders/") }))
            #expect(link.hasPrefix("https://shop.example/orders/\(order.id)?token=ot_"))
            let token = String(link[link.range(of: "token=")!.upperBound...])
            #expect(try await database.withConnection { db in try await OrderStore().find(id: order.id, accessToken: token, on: db) } != nil)
            #expect(message.text.contains("Total: \(CurrencyUnits.decimalString(order.total, currency: "USD")) USD"))
            #expect(message.html.contains("<strong>\(order.number)</strong>"))
        }
    }
}
