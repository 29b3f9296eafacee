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
import Foundation
import Testing

@Suite struct OrderTimelineTests {
    let noon = Date(timeIntervalSince1970: 1_900_000_000)

    func record(_ id: String, _ from: OrderStatus?, _ to: OrderStatus, at: Date, actor: Actor = Actor(.apiKey, "key_staff"),
                reason: String? = nil, details: [String: String] = [:]) -> OrderTransition {
        OrderTransition(id: id, orderId: "ord_1", at: at, actor: actor, from: from, to: to, reason: reason, details: details)
    }

    @Test func stepsRecordedInOneInstantKeepTheOrdersProgressWhateverTheirIds() {
        // A fulfillment report that skipped steps: one time, ids that sort against the progress.
        let trail = [
            record("otr_1", .fulfilled, .shipped, at: noon, actor: Actor(.fulfillmentPartner, "fulfillment"),
                   details: ["carrier": "DHL", "trackingNumber": "JD0001", "eventId": "evt_1"]),
            record("otr_2", .inProduction, .fulfilled, at: noon, actor: Actor(.fulfillmentPartner, "fulfillment")),
            record("otr_3", .paid, .inProduction, at: noon, actor: Actor(.fulfillmentPartner, "fulfillment")),
            record("otr_9", .pendingPayment, .paid, at: noon - 60, actor: Actor(.paymentProvider, "test"),
                   details: ["checkout": "chk_1", "payment": "pi_1"]),
        ]
        let tracking = Tracking(carrier: "DHL", number: "JD0001", url: "https://dhl.example/JD0001")
        for shuffled in [trail, Array(trail.reversed()), trail.shuffled()] {
            let timeline = OrderTimeline(transitions: shuffled, tracking: tracking)
            #expect(timeline.entries == [
                .init(event: .paid, at: noon - 60),
                .init(event: .inProduction, at: noon),
                .init(event: .fulfilled, at: noon),
                .init(event: .shipped, at: noon, tracking: tracking),
            ])
        }
    }

    @Test func aShipmentShowsOnlyAWebLinkAndOnlyItsOwn() {
        let shipped = [record("otr_1", .fulfilled, .shipped, at: noon, details: ["carrier": "DHL", "trackingNumber": "JD0001"])]
        let script = OrderTimeline(transitions: shipped, tracking: Tracking(carrier: "DHL", number: "JD0001", url: "javascript:alert(1)"))
        #expect(script.entries.first?.tracking == Tracking(carrier: "DHL", number: "JD0001"))
        let other = OrderTimeline(transitions: shipped, tracking: Tracking(carrier: "UPS", number: "1Z", url: "https://ups.example/1Z"))
        #expect(other.entries.first?.tracking == Tracking(carrier: "DHL", number: "JD0001"))
    }

    @Test func deliveryShowsTheReportedTime() {
        let reported = noon - 3600
        let trail = [record("otr_1", .shipped, .delivered, at: noon, details: ["deliveredAt": ISO8601DateFormatter().string(from: reported)])]
        #expect(OrderTimeline(transitions: trail, tracking: nil).entries == [.init(event: .delivered, at: reported)])
    }

    @Test func aCancellationShowsItsRefundAndNothingStaffTyped() {
        let trail = [
            record("otr_1", .pendingPayment, .paid, at: noon - 60, actor: Actor(.paymentProvider, "test")),
            record("otr_2", .paid, .cancelled, at: noon, reason: "Rude on the phone", details: ["refunded": "8272"]),
        ]
        #expect(OrderTimeline(transitions: trail, tracking: nil).entries == [
            .init(event: .paid, at: noon - 60),
            .init(event: .cancelled, at: noon),
            .init(event: .refunded, at: noon, amount: 8272),
        ])
        // Nothing given back (nothing was captured): no refund step.
        let free = [record("otr_2", .paid, .cancelled, at: noon, reason: "Duplicate", details: ["refunded": "0"])]
        #expect(OrderTimeline(transitions: free, tracking: nil).entries == [.init(event: .cancelled, at: noon)])
    }
}
