import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import Foundation
import Mustache
import SQLKit

/// Writes the shopper's emails from Mustache templates (a text and an HTML version of each): the order
/// confirmation (a receipt), the shipping update, and the cancellation notice.
public struct MailComposer: Sendable {
    public let settings: MailSettings
    public let cipher: PersonalDataCipher
    private let clock: WallClock

    public init(settings: MailSettings, cipher: PersonalDataCipher, clock: WallClock = .system) {
        self.settings = settings
        self.cipher = cipher
        self.clock = clock
    }

    /// The email an event calls for, or nil when it calls for none (a status change other than shipped
    /// or cancelled, say).
    public func message(for delivery: EventDelivery, on db: any SQLDatabase) async throws -> MailMessage? {
        struct StatusChange: Decodable {
            struct Data: Decodable { var to: String }
            var data: Data
        }
        let kind: Template
        switch delivery.eventType {
        case "order.created":
            kind = .confirmation
        case "order.status_changed":
            let change = try Coding.decoder.decode(StatusChange.self, from: Data(delivery.payload.utf8))
            switch change.data.to {
            case OrderStatus.shipped.rawValue: kind = .shipped
            case OrderStatus.cancelled.rawValue: kind = .cancelled
            default: return nil
            }
        default:
            return nil
        }
        guard let order = try await OrderStore(clock: clock).find(id: delivery.aggregateId, on: db) else { return nil }
        let customer = try cipher.open(json: order.sealedCustomer, as: CustomerDetails.self)
        let sealedToken = try await db.select().column("access_token_sealed").from("checkouts").where("id", .equal, order.checkoutId)
            .first(decodingColumn: "access_token_sealed", as: String?.self) ?? nil
        let token = try sealedToken.map { try cipher.open($0) }
        let context = self.context(order: order, customer: customer, token: token)
        let subject: String
        switch kind {
        case .confirmation: subject = "Your order \(order.number) is confirmed"
        case .shipped: subject = "Your order \(order.number) is on its way"
        case .cancelled: subject = "Your order \(order.number) was cancelled"
        }
        let host = URL(string: settings.trackingBaseURL)?.host ?? "atelier.invalid"
        return MailMessage(
            from: settings.from, to: "\(customer.name) <\(customer.email)>", subject: subject,
            text: try MustacheTemplate(string: kind.text).render(context), html: try MustacheTemplate(string: kind.html).render(context),
            messageId: "<\(delivery.eventId)@\(host)>", date: clock.now)
    }

    func money(_ amount: Int64, _ currency: String) -> String {
        "\(CurrencyUnits.decimalString(amount, currency: currency)) \(currency)"
    }

    func context(order: Order, customer: CustomerDetails, token: String?) -> [String: Any] {
        let currency = order.currency
        let lines: [[String: Any]] = order.snapshot.lines.map { line in
            var details: [String] = line.state.selection.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
            for (option, values) in line.state.options.sorted(by: { $0.key < $1.key }) where !values.isEmpty {
                details.append("\(option): \(values.joined(separator: ", "))")
            }
            for (zone, value) in line.state.zones.sorted(by: { $0.key < $1.key }) {
                if let text = value.text { details.append("\(zone): “\(text.text)”" + (text.font.map { " in \($0)" } ?? "")) }
                if let colour = value.colour { details.append("\(zone): colour \(colour)") }
                if value.image != nil { details.append("\(zone): your image") }
                if let components = value.components, !components.isEmpty { details.append("\(zone): \(components.joined(separator: ", "))") }
            }
            return ["name": line.productName, "quantity": line.quantity, "unit": money(line.unit.total, currency),
                    "total": money(line.amount, currency), "customization": details.joined(separator: "; "),
                    "hasCustomization": !details.isEmpty, "shipBy": line.shipDate]
        }
        var context: [String: Any] = [
            "shop": settings.shopName, "name": customer.name, "number": order.number, "lines": lines,
            "subtotal": money(order.subtotal, currency), "shipping": money(order.shipping, currency),
            "shippingMethod": order.snapshot.shippingName, "tax": money(order.tax, currency), "total": money(order.total, currency),
            "taxLines": order.snapshot.taxLines.map { ["name": $0.name, "amount": money($0.onGoods + $0.onShipping, currency)] },
            "expectedShipDate": order.expectedShipDate, "refunded": order.refunded > 0 ? money(order.refunded, currency) : false,
        ]
        // Links go into href attributes: only http(s) ones, whoever wrote them (the HTML templates escape
        // every value, which keeps a link inside its attribute but does not make a `javascript:` one safe).
        if let token {
            let link = "\(settings.trackingBaseURL)/orders/\(order.id)?token=\(token)"
            if Tracking.isWebLink(link) { context["trackingLink"] = link }
        }
        if let tracking = order.tracking {
            context["carrier"] = tracking.carrier
            context["trackingNumber"] = tracking.number
            context["carrierLink"] = tracking.webLink ?? false
        }
        return context
    }

    enum Template {
        case confirmation, shipped, cancelled

        var text: String {
            switch self {
            case .confirmation: MailTemplates.confirmationText
            case .shipped: MailTemplates.shippedText
            case .cancelled: MailTemplates.cancelledText
            }
        }

        var html: String {
            switch self {
            case .confirmation: MailTemplates.confirmationHTML
            case .shipped: MailTemplates.shippedHTML
            case .cancelled: MailTemplates.cancelledHTML
            }
        }
    }
}
