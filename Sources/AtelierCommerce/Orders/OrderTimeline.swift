import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Foundation

/// The story of an order as its shopper may read it: each status it reached and each refund, with
/// their times, made from the order's audit records alone.
///
/// Only what is the shopper's own business leaves the audit trail: who acted (API keys, staff, the
/// payment provider, the fulfillment partner), the reasons staff typed and every other detail stay
/// behind. A shipment shows the carrier and number it was recorded with, and the order's tracking
/// link only when it is a web link (`Tracking.webLink`).
public struct OrderTimeline: Sendable, Equatable {
    public enum Event: String, Sendable, Equatable {
        case paid
        case inProduction = "in_production"
        case fulfilled
        case shipped
        case delivered
        case cancelled
        /// Money given back, in `Entry.amount`.
        case refunded
    }

    public struct Entry: Sendable, Equatable {
        public var event: Event
        public var at: Date
        /// Shipments only.
        public var tracking: Tracking?
        /// Refunds only, in minor units of the order's currency.
        public var amount: Int64?

        public init(event: Event, at: Date, tracking: Tracking? = nil, amount: Int64? = nil) {
            self.event = event
            self.at = at
            self.tracking = tracking
            self.amount = amount
        }
    }

    /// Oldest first.
    public var entries: [Entry]

    /// The timeline of the order whose audit records are `transitions` (`OrderStore.transitions`) and
    /// whose current tracking is `tracking` (where the link lives: audit records keep carrier and number).
    ///
    /// Records are taken by time, then by their place in the order's life, then by id. The middle key
    /// matters: ids order records only across milliseconds, and steps made in one go (a fulfillment
    /// report that skips steps, a pinned clock) share a time. An order never moves backwards, so that
    /// place is the order in which its steps happened.
    ///
    /// A record that leaves the status as it was notes a refund of part of the order (details `refund`, `refunded`),
    /// shown as `refunded`, or a refund that failed (`refundFailed`): that refund's money was not given back, so its
    /// entry is left out, and the failure itself is staff's business.
    public init(transitions: [OrderTransition], tracking: Tracking?) {
        let records = transitions.sorted { ($0.at, Self.place($0.to), $0.id) < ($1.at, Self.place($1.to), $1.id) }
        let failed = Set(records.compactMap { $0.details["refundFailed"] == nil ? nil : $0.details["refund"] })
        func refunded(_ record: OrderTransition) -> Int64? {
            guard let amount = record.details["refunded"].flatMap({ Int64($0) }), amount > 0,
                  record.details["refundFailed"] == nil, !failed.contains(record.details["refund"] ?? "")
            else { return nil }
            return amount
        }
        var entries: [Entry] = []
        for record in records {
            if record.from == record.to {
                if let amount = refunded(record) { entries.append(Entry(event: .refunded, at: record.at, amount: amount)) }
                continue
            }
            guard let event = Self.event(for: record.to) else { continue }
            switch record.to {
            case .shipped:
                entries.append(Entry(event: event, at: record.at, tracking: Self.shipment(record.details, current: tracking)))
            case .delivered:
                // The time the delivery was reported to have happened, which staff may record later.
                let delivered = record.details["deliveredAt"].flatMap { ISO8601DateFormatter().date(from: $0) }
                entries.append(Entry(event: event, at: delivered ?? record.at))
            case .cancelled:
                entries.append(Entry(event: event, at: record.at))
                if let amount = refunded(record) { entries.append(Entry(event: .refunded, at: record.at, amount: amount)) }
            default:
                entries.append(Entry(event: event, at: record.at))
            }
        }
        self.entries = entries
    }

    private static func event(for status: OrderStatus) -> Event? {
        switch status {
        case .pendingPayment: nil
        case .paid: .paid
        case .inProduction: .inProduction
        case .fulfilled: .fulfilled
        case .shipped: .shipped
        case .delivered: .delivered
        case .cancelled: .cancelled
        }
    }

    /// `OrderStatus.allCases` lists the statuses in the order an order can reach them (cancelled last).
    private static func place(_ status: OrderStatus) -> Int {
        OrderStatus.allCases.firstIndex(of: status) ?? OrderStatus.allCases.count
    }

    /// Carrier and number as recorded with the step; the link from the order's tracking, when that
    /// tracking is this shipment's and its link a web link.
    private static func shipment(_ details: [String: String], current: Tracking?) -> Tracking? {
        guard let carrier = details["carrier"] ?? current?.carrier, let number = details["trackingNumber"] ?? current?.number,
            !carrier.isEmpty, !number.isEmpty
        else { return nil }
        let sameShipment = current?.carrier == carrier && current?.number == number
        return Tracking(carrier: carrier, number: number, url: sameShipment ? current?.webLink : nil)
    }
}
