import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AsyncHTTPClient
import Foundation
import NIOHTTP1

/// Reads the PayPal webhook events Atelier acts on.
public enum PayPalWebhooks {
    /// One capture as PayPal reports it, in minor units.
    public struct Capture: Sendable, Equatable {
        public var id: String
        public var status: String
        public var orderId: String?
        public var checkoutId: String?
        public var amount: Int64
        public var currency: String

        /// The payment fact: a capture is one event whatever told us about it (capture answer, webhook),
        /// so the second report is a duplicate.
        public func paymentEvent(payload: String) -> PaymentEvent? {
            let kind: PaymentEvent.Kind
            switch status {
            case "COMPLETED": kind = .succeeded
            case "DECLINED", "FAILED": kind = .failed
            default: return nil  // PENDING: the completion follows by webhook
            }
            return PaymentEvent(provider: .paypal, eventId: "capture:\(id):\(kind.rawValue)", kind: kind, checkoutId: checkoutId,
                                providerRef: id, amount: amount, currency: currency, payload: payload)
        }
    }

    struct CaptureResource: Decodable {
        struct Amount: Decodable {
            var value: String
            var currency_code: String
        }
        struct Supplementary: Decodable {
            struct Related: Decodable { var order_id: String? }
            var related_ids: Related?
        }
        var id: String
        var status: String
        var amount: Amount?
        var custom_id: String?
        var supplementary_data: Supplementary?

        func capture(orderId: String?, customId: String?) -> Capture? {
            guard let amount, let minor = CurrencyUnits.minorUnits(amount.value, currency: amount.currency_code) else { return nil }
            return Capture(id: id, status: status, orderId: orderId ?? supplementary_data?.related_ids?.order_id,
                           checkoutId: custom_id ?? customId, amount: minor, currency: amount.currency_code)
        }
    }

    /// What a verified event asks of us.
    public enum Action: Sendable, Equatable {
        /// The buyer approved the order: capture it.
        case capture(orderId: String, checkoutId: String?)
        /// A capture completed or was denied.
        case payment(PaymentEvent)
        case ignore
    }

    public static func action(from payload: [UInt8]) throws(AtelierError) -> (eventId: String, type: String, action: Action) {
        struct Event: Decodable {
            struct Resource: Decodable {
                struct Unit: Decodable { var custom_id: String? }
                var id: String?
                var purchase_units: [Unit]?
            }
            var id: String
            var event_type: String
        }
        let data = Data(payload)
        guard let event = try? JSONDecoder().decode(Event.self, from: data) else {
            throw AtelierError(.badRequest, code: .malformedEvent, title: "Malformed event", detail: "The event is not a PayPal event.")
        }
        let text = String(decoding: payload, as: UTF8.self)
        switch event.event_type {
        case "CHECKOUT.ORDER.APPROVED":
            struct Approved: Decodable {
                struct Resource: Decodable {
                    struct Unit: Decodable { var custom_id: String? }
                    var id: String
                    var purchase_units: [Unit]?
                }
                var resource: Resource
            }
            guard let approved = try? JSONDecoder().decode(Approved.self, from: data) else { return (event.id, event.event_type, .ignore) }
            return (event.id, event.event_type, .capture(orderId: approved.resource.id, checkoutId: approved.resource.purchase_units?.first?.custom_id))
        case "PAYMENT.CAPTURE.COMPLETED", "PAYMENT.CAPTURE.DENIED":
            struct Captured: Decodable { var resource: CaptureResource }
            guard let captured = try? JSONDecoder().decode(Captured.self, from: data),
                  let capture = captured.resource.capture(orderId: nil, customId: nil),
                  let payment = capture.paymentEvent(payload: text)
            else { return (event.id, event.event_type, .ignore) }
            return (event.id, event.event_type, .payment(payment))
        default:
            return (event.id, event.event_type, .ignore)
        }
    }
}
