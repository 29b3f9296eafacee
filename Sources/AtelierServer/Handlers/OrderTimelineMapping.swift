import Atelier
import AtelierAPI

extension Components.Schemas.OrderTimelineEntry {
    /// The shopper's view of one step; `currency` is the order's.
    init(_ entry: OrderTimeline.Entry, currency: String) {
        self.init(
            event: .init(rawValue: entry.event.rawValue)!, at: entry.at,
            tracking: entry.tracking.map { .init(carrier: $0.carrier, number: $0.number, url: $0.webLink) },
            amount: entry.amount.map { .init(amount: $0, currency: currency) })
    }
}
