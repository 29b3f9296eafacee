import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import Crypto
import Foundation
import SQLKit

/// Moves an order forward as the fulfillment service reports, with the service as the audit actor.
/// Steps it skipped are walked through in order (each with its audit record); a report for a step the
/// order has already passed, or a repeat, changes nothing and is answered `ignored`, so the service
/// stops retrying and an order never moves backwards.
public struct FulfillmentUpdates: Sendable {
    static let path: [OrderStatus] = [.paid, .inProduction, .fulfilled, .shipped, .delivered]
    private let clock: WallClock

    public init(clock: WallClock = .system) { self.clock = clock }

    public enum Outcome: String, Sendable { case applied, ignored }

    public func apply(_ update: FulfillmentUpdate, eventId: String, on db: any SQLDatabase) async throws -> Outcome {
        // Tracking is checked whatever the report's step: a signed report is still the partner's input,
        // and its link reaches the shopper's order page and email.
        var problems = ValidationErrors()
        let tracking = update.tracking.map { Tracking(carrier: $0.carrier, number: $0.number, url: $0.url) }
        tracking?.check(at: "/data/tracking", into: &problems)
        guard let target = OrderStatus(rawValue: update.status), let targetIndex = Self.path.firstIndex(of: target), target != .paid else {
            problems.add("/data/status", .invalidStatus, "must be in_production, fulfilled, shipped or delivered.")
            throw AtelierError.validation(problems.errors)
        }
        try problems.check()
        let store = OrderStore(clock: clock)
        guard let order = try await store.find(id: update.orderId, on: db, forUpdate: true) else {
            throw AtelierError.notFound("Order '\(update.orderId)'")
        }
        // Cancelled orders and orders already at or past the step: nothing to do.
        guard let currentIndex = Self.path.firstIndex(of: order.status), currentIndex < targetIndex else { return .ignored }
        let actor = Actor(.fulfillmentPartner, "fulfillment")
        for step in Self.path[(currentIndex + 1)...targetIndex] {
            let request = OrderTransitionRequest(
                to: step, reason: nil,
                tracking: step == .shipped ? tracking : nil,
                deliveredAt: step == .delivered ? (update.deliveredAt ?? clock.now) : nil, details: ["eventId": eventId])
            _ = try await store.transition(id: order.id, request, actor: actor, on: db)
        }
        return .applied
    }
}
