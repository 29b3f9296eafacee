import Atelier
import AtelierAPI
import Crypto
import Foundation
import Logging
import OpenAPIRuntime
import NIOCore

/// How checkouts and orders are shown: the contract's views made from the domain's values.
extension APIHandlers {
    func checkoutView(_ checkout: Checkout, order: Order?) -> Components.Schemas.CheckoutView {
        let snapshot = checkout.snapshot
        func money(_ amount: Int64) -> Components.Schemas.MoneyTotal { .init(amount: amount, currency: snapshot.currency) }
        return Components.Schemas.CheckoutView(
            id: checkout.id, status: .init(rawValue: checkout.status.rawValue)!, orderId: order?.id, orderNumber: order?.number,
            total: money(snapshot.total), subtotal: money(snapshot.subtotal), shipping: money(snapshot.shipping), tax: money(snapshot.tax),
            expectedShipDate: snapshot.expectedShipDate, expiresAt: checkout.expiresAt,
            payment: .init(provider: .init(rawValue: checkout.provider.rawValue)!, reference: checkout.providerRef,
                           clientSecret: checkout.clientSecret,
                           approvalUrl: checkout.approvalURL,
                           testPaymentUrl: checkout.provider == .test ? "/checkout/\(checkout.id)/test-payment" : nil),
            lines: snapshot.lines.map { .init($0, currency: snapshot.currency) })
    }

    func adminOrder(_ order: Order, on db: DatabaseConnection) async throws -> Components.Schemas.AdminOrder {
        let customer = try cipher.open(json: order.sealedCustomer, as: CustomerDetails.self)
        let address = customer.shippingAddress
        let audit = try await services.orders.transitions(orderId: order.id, on: db)
        let orderRefunds = try await services.refundStore.list(orderId: order.id, on: db)
        let currency = order.currency
        func money(_ amount: Int64) -> Components.Schemas.MoneyTotal { .init(amount: amount, currency: currency) }
        return Components.Schemas.AdminOrder(
            order: .init(order, timeline: OrderTimeline(transitions: audit, tracking: order.tracking)),
            customer: .init(email: customer.email, name: customer.name, phone: customer.phone, shippingAddress: .init(
                name: address.name, line1: address.line1, line2: address.line2, city: address.city, region: address.region,
                postalCode: address.postalCode, country: address.country)),
            payment: .init(provider: order.provider.rawValue, reference: order.paymentRef),
            shippingMethod: order.snapshot.shippingMethod,
            taxLines: order.snapshot.taxLines.map {
                .init(rateId: $0.rateId, name: $0.name, ratePpm: $0.ratePpm, onGoods: $0.onGoods, onShipping: $0.onShipping, currency: currency)
            },
            audit: audit.map {
                .init(at: $0.at, actorKind: .init(rawValue: $0.actor.kind.rawValue)!, actorId: $0.actor.id,
                      from: $0.from.flatMap { .init(rawValue: $0.rawValue) }, to: .init(rawValue: $0.to.rawValue)!, reason: $0.reason,
                      details: .init(additionalProperties: $0.details))
            },
            refundable: money(max(0, order.total - order.refunded)),
            refunds: orderRefunds.map(Components.Schemas.RefundView.init))
    }
}

extension Components.Schemas.OrderLine {
    init(_ line: CheckoutSnapshot.Line, currency: String) {
        func money(_ amount: Int64) -> Components.Schemas.MoneyTotal { .init(amount: amount, currency: currency) }
        self.init(
            productId: line.productId, productSlug: line.productSlug, productName: line.productName, sku: line.sku,
            templateVersion: line.templateVersion, selection: .init(additionalProperties: line.state.selection),
            options: .init(additionalProperties: line.state.options),
            zones: .init(additionalProperties: line.state.zones.mapValues(Components.Schemas.ZoneValue.init)),
            previewUrl: line.previewAssetId.map { "/assets/\($0)" }, quantity: line.quantity,
            unitPrice: .init(line.unit, currency: currency),
            lineTotal: money(line.amount), leadTimeDays: line.leadTimeDays, expectedShipDate: line.shipDate)
    }
}

extension Components.Schemas.OrderView {
    init(_ order: Order, timeline: OrderTimeline) {
        func money(_ amount: Int64) -> Components.Schemas.MoneyTotal { .init(amount: amount, currency: order.currency) }
        self.init(
            id: order.id, number: order.number, status: .init(rawValue: order.status.rawValue)!,
            lines: order.snapshot.lines.map { .init($0, currency: order.currency) },
            subtotal: money(order.subtotal), shipping: money(order.shipping), tax: money(order.tax), total: money(order.total),
            refunded: order.refunded > 0 ? money(order.refunded) : nil,
            tracking: order.tracking.map { .init(carrier: $0.carrier, number: $0.number, url: $0.webLink) },
            expectedShipDate: order.expectedShipDate, paidAt: order.paidAt, deliveredAt: order.deliveredAt,
            createdAt: order.createdAt, updatedAt: order.updatedAt,
            timeline: timeline.entries.map { .init($0, currency: order.currency) })
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
