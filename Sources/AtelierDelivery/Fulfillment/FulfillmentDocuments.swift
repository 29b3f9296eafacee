import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import Crypto
import Foundation
import SQLKit

/// Builds what the fulfillment service receives for a paid order: everything needed to make and ship
/// it. Built when sent, from the order and its sealed customer data, so no personal data is ever
/// written to the outbox or the delivery log.
public struct FulfillmentDocuments: Sendable {
    public let cipher: PersonalDataCipher
    public let publicBaseURL: String
    private let clock: WallClock

    public init(cipher: PersonalDataCipher, publicBaseURL: String, clock: WallClock = .system) {
        self.cipher = cipher
        self.publicBaseURL = publicBaseURL
        self.clock = clock
    }

    struct Document: Encodable {
        struct Line: Encodable {
            var productId: String
            var productSlug: String
            var productName: String
            var sku: String?
            var quantity: Int
            var templateVersion: Int?
            var selection: [String: String]
            var options: [String: [String]]
            var zones: [String: CustomizationState.ZoneValue]
            var previewUrl: String?
            var assetUrls: [String]
            var leadTimeDays: Int
            var shipBy: String
        }
        struct Address: Encodable {
            var name: String
            var line1: String
            var line2: String?
            var city: String
            var region: String?
            var postalCode: String?
            var country: String
        }
        struct Data: Encodable {
            var orderId: String
            var number: String
            var placedAt: String
            var expectedShipDate: String
            var shippingMethod: String
            var contact: [String: String]
            var shippingAddress: Address
            var lines: [Line]
        }
        var id: String
        var type = "fulfillment.order"
        var version = 1
        var occurredAt: String
        var data: Data
    }

    /// The body for an `order.created` event (same event id), or nil when the order is gone.
    public func orderDocument(eventId: String, orderId: String, on db: any SQLDatabase) async throws -> String? {
        guard let order = try await OrderStore(clock: clock).find(id: orderId, on: db) else { return nil }
        let customer = try cipher.open(json: order.sealedCustomer, as: CustomerDetails.self)
        let address = customer.shippingAddress
        var contact = ["name": customer.name, "email": customer.email]
        if let phone = customer.phone { contact["phone"] = phone }
        let iso = ISO8601DateFormatter()
        let document = Document(
            id: eventId, occurredAt: iso.string(from: order.createdAt),
            data: .init(
                orderId: order.id, number: order.number, placedAt: iso.string(from: order.createdAt), expectedShipDate: order.expectedShipDate,
                shippingMethod: order.snapshot.shippingMethod, contact: contact,
                shippingAddress: .init(name: address.name, line1: address.line1, line2: address.line2, city: address.city, region: address.region,
                                       postalCode: address.postalCode, country: address.country),
                lines: order.snapshot.lines.map { line in
                    .init(productId: line.productId, productSlug: line.productSlug, productName: line.productName, sku: line.sku,
                          quantity: line.quantity, templateVersion: line.templateVersion, selection: line.state.selection,
                          options: line.state.options, zones: line.state.zones,
                          previewUrl: line.previewAssetId.map { "\(publicBaseURL)/assets/\($0)" },
                          assetUrls: line.state.zones.values.compactMap(\.image).sorted().map { "\(publicBaseURL)/assets/\($0)" },
                          leadTimeDays: line.leadTimeDays, shipBy: line.shipDate)
                }))
        return try Coding.encode(document)
    }
}

extension WebhookSigner {
    /// Checks a Standard Webhooks signature: one of the `v1,` signatures in the header matches one of the
    /// secrets, and the timestamp is within `tolerance` of now either way.
    public static func verify(secrets: [String], id: String?, timestamp: String?, signatures: String?, body: [UInt8], now: Date,
                              tolerance: TimeInterval = 300) throws(AtelierError) {
        guard let id, let timestamp, let signatures, let time = Int(timestamp) else {
            throw AtelierError(.badRequest, code: .missingSignature, title: "Webhook signature missing",
                               detail: "Send webhook-id, webhook-timestamp and webhook-signature (Standard Webhooks).")
        }
        guard abs(now.timeIntervalSince1970 - TimeInterval(time)) <= tolerance else {
            throw AtelierError(.badRequest, code: .staleSignature, title: "Webhook signature rejected",
                               detail: "The webhook-timestamp is more than \(Int(tolerance)) seconds away from now.")
        }
        let offered = signatures.split(separator: " ").map(String.init)
        for secret in secrets {
            guard let expected = signature(secret: secret, id: id, timestamp: time, body: body) else { continue }
            if offered.contains(where: { Secret.constantTimeEquals($0, expected) }) { return }
        }
        throw AtelierError(.badRequest, code: .invalidSignature, title: "Webhook signature rejected",
                           detail: "No signature matches the configured secret.")
    }
}
