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
import SQLKit
import Testing

/// A tracking link reaches the shopper's order page and the HTML email: it is an http(s) link, whoever
/// sends it, and the email never links anything else.
@Suite struct TrackingLinkTests {
    let fulfillment = FulfillmentTests()

    @Test func onlyPlainWebLinksPass() {
        for good in ["https://ups.example/track?n=1Z999&lang=en", "http://dhl.example/JD0001", "HTTPS://dhl.example/JD0001",
                     "https://track.example:8443/p/1Z%20999#details", "https://[2001:db8::1]/t", "https://post.example"] {
            #expect(Tracking.isWebLink(good), "\(good)")
        }
        let tooLong = "https://ups.example/" + String(repeating: "a", count: Tracking.maxURLLength)
        for bad in ["javascript:alert(1)", "JavaScript:alert(1)", "javascript://ups.example/%0Aalert(1)", "data:text/html,<b>x</b>",
                    "vbscript:msgbox", "//ups.example/1Z", "/orders/ord_1", "ups.example/1Z", "https://", "https:///1Z", "https://:443/1Z",
                    "https://ups.example@evil.example/1Z", "https://ups.example/1Z\"><script>alert(1)</script>",
                    "https://ups.example/1Z'onmouseover='x", "https://ups.example/a b", " https://ups.example/1Z", "https://ups.example/\t",
                    "https://ups.example/\u{0}", "https://üps.example/1Z", "https://ups.example/\\1Z", "https://ups.example/`1Z`", "",
                    tooLong] {
            #expect(!Tracking.isWebLink(bad), "\(bad)")
        }
        #expect(Tracking(carrier: "UPS", number: "1Z", url: "javascript:alert(1)").webLink == nil)
        #expect(Tracking(carrier: "UPS", number: "1Z", url: "https://ups.example/1Z").webLink == "https://ups.example/1Z")
        #expect(Tracking(carrier: "UPS", number: "1Z").webLink == nil)
    }

    @Test func aSignedReportWithAScriptLinkIsRefusedAndTheOrderKeepsNoLink() async throws {
        try await TestDatabase.with { database in
            let order = try await fulfillment.paidOrder(database)
            func report(_ url: String?) async throws -> FulfillmentUpdates.Outcome {
                let update = FulfillmentUpdate(orderId: order.id, status: "shipped", tracking: .init(carrier: "DHL", number: "JD1", url: url),
                                               deliveredAt: nil)
                return try await database.transaction { db in try await FulfillmentUpdates().apply(update, eventId: "msg_1", on: db) }
            }
            let refused = await #expect(throws: AtelierError.self) { try await report("javascript:alert(1)") }
            #expect(refused?.status == 422 && refused?.code.rawValue == "validation_failed")
            #expect(refused?.errors.map { "\($0.pointer) \($0.code)" } == ["/data/tracking/url invalid_url"])
            let kept = try await database.withConnection { db in try await OrderStore().find(id: order.id, on: db) }
            #expect(kept?.status == .paid && kept?.tracking == nil)

            // The same report with a web link goes through.
            #expect(try await report("https://dhl.example/JD1") == .applied)
            let shipped = try await database.withConnection { db in try await OrderStore().find(id: order.id, on: db) }
            #expect(shipped?.status == .shipped && shipped?.tracking?.url == "https://dhl.example/JD1")
        }
    }

    @Test func everyWayIntoAnOrderChecksTheLink() async throws {
        try await TestDatabase.with { database in
            let order = try await fulfillment.paidOrder(database)
            // A report for a step that needs no tracking is refused for a bad link all the same; so is the store's own transition.
            let stale = FulfillmentUpdate(orderId: order.id, status: "in_production",
                                          tracking: .init(carrier: "DHL", number: "JD1", url: "data:text/html,hi"), deliveredAt: nil)
            let reported = await #expect(throws: AtelierError.self) {
                try await database.transaction { db in try await FulfillmentUpdates().apply(stale, eventId: "msg_2", on: db) }
            }
            #expect(reported?.errors.map(\.pointer) == ["/data/tracking/url"])
            let store = OrderStore()
            for step in [OrderStatus.inProduction, .fulfilled] {
                _ = try await database.transaction { db in try await store.transition(id: order.id, .init(to: step), actor: Actor(.system), on: db) }
            }
            let moved = await #expect(throws: AtelierError.self) {
                try await database.transaction { db in
                    try await store.transition(id: order.id, .init(to: .shipped, tracking: .init(carrier: "DHL", number: "JD1", url: "javascript:alert(1)")),
                                               actor: Actor(.system), on: db)
                }
            }
            #expect(moved?.errors.map { "\($0.pointer) \($0.code)" } == ["/tracking/url invalid_url"])
            let kept = try await database.withConnection { db in try await store.find(id: order.id, on: db) }
            #expect(kept?.status == .fulfilled && kept?.tracking == nil)
        }
    }

    @Test func theShippingEmailNeverLinksAScript() async throws {
        try await TestDatabase.with { database in
            let order = try await fulfillment.paidOrder(database)
            let store = OrderStore()
            for step in [OrderStatus.inProduction, .fulfilled] {
                _ = try await database.transaction { db in try await store.transition(id: order.id, .init(to: step), actor: Actor(.system), on: db) }
            }
            _ = try await database.transaction { db in
                try await store.transition(id: order.id, .init(to: .shipped, tracking: .init(carrier: "DHL", number: "JD1",
                                                                                               url: "https://dhl.example/t?n=JD1&l=en")),
                                           actor: Actor(.system), on: db)
            }
            let composer = MailComposer(settings: .init(from: "Shop <orders@shop.example>", shopName: "Shop", trackingBaseURL: "https://shop.example",
                                                        transport: .files("/tmp")),
                                        cipher: fulfillment.checkouts.cipher)
            let delivery = EventDelivery(id: "whd_1", subscriptionId: "whs_1", eventId: "evt_1", eventType: "order.status_changed", seq: 1,
                                         aggregateId: order.id, payload: #"{"data": {"to": "shipped"}}"#, status: .pending, attempts: 0,
                                         nextAttemptAt: Date(), lastStatus: nil, lastError: nil, createdAt: Date(), completedAt: nil)
            let checked = try #require(try await database.withConnection { db in try await composer.message(for: delivery, on: db) })
            // A checked link is escaped into its attribute.
            #expect(checked.html.contains(#"<a href="https://dhl.example/t?n=JD1&amp;l=en">Track the parcel</a>"#))
            #expect(checked.html.contains(#"<a href="https://shop.example/orders/\#(order.id)?token=ot_"#))

            // A row written before links were checked, or behind the checks' back.
            for link in ["javascript:alert(1)", "JAVASCRIPT:alert(document.cookie)", #"javascript:alert(1)" onclick="alert(2)"#] {
                let tracking = try Coding.encode(Tracking(carrier: "DHL", number: "JD1", url: link))
                try await database.withConnection { db in
                    try await db.raw("UPDATE orders SET tracking = \(bind: tracking) WHERE id = \(bind: order.id)").run()
                }
                let message = try #require(try await database.withConnection { db in try await composer.message(for: delivery, on: db) })
                #expect(!message.html.lowercased().contains("javascript:"), "\(link)")
                #expect(!message.text.lowercased().contains("javascript:"), "\(link)")
                #expect(!message.html.contains("Track the parcel"))
                // The rest of the email is as before: carrier, number and the shop's own link.
                #expect(message.html.contains("tracking number <strong>JD1</strong>"))
                #expect(message.html.contains(#"<a href="https://shop.example/orders/\#(order.id)?token=ot_"#))
            }
        }
    }

    @Test func htmlTemplatesEscapeEveryValue() {
        for template in [MailTemplates.confirmationHTML, MailTemplates.shippedHTML, MailTemplates.cancelledHTML] {
            #expect(!template.contains("{{{") && !template.contains("{{&") && !template.contains("CONTENT_TYPE"))
        }
        // Every href holds one escaped value that the composer checked.
        let hrefs = [MailTemplates.confirmationHTML, MailTemplates.shippedHTML, MailTemplates.cancelledHTML].flatMap { template in
            template.components(separatedBy: "href=\"").dropFirst().map { rest in String(rest.prefix { $0 != "\"" }) }
        }
        #expect(Set(hrefs) == ["{{trackingLink}}", "{{carrierLink}}"])
    }
}
