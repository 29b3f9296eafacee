import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Foundation
import SQLKit

/// What an event did; recorded with it.
public enum PaymentOutcome: String, Sendable {
    /// The order was created now.
    case orderCreated = "order_created"
    /// The same provider event was seen before: nothing happens twice.
    case duplicate
    /// Another event already paid this checkout: no second order.
    case alreadyPaid = "already_paid"
    /// Money arrived for a checkout that expired or was cancelled: flagged for an admin to refund.
    case latePayment = "late_payment"
    /// Paid amount or currency differ from the checkout's total: no order; flagged.
    case amountMismatch = "amount_mismatch"
    /// A failed attempt was recorded; the checkout stays open for another try.
    case failureRecorded = "failure_recorded"
    /// A failure after success, or for a closed checkout: recorded, changes nothing.
    case ignored
    /// No checkout matches the event.
    case unknownCheckout = "unknown_checkout"
}
