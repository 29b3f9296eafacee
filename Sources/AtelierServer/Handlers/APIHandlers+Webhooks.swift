import Atelier
import AtelierAPI
import Foundation
import NIOCore
import OpenAPIRuntime

extension APIHandlers {
    func listWebhooks(_ input: Operations.ListWebhooks.Input) async throws -> Operations.ListWebhooks.Output {
        let page = try PageRequest(limit: input.query.limit, cursor: input.query.cursor)
        let store = services.webhookSubscriptions
        let result = try await database.withConnection { db in try await store.list(page: page, on: db) }
        return .ok(.init(body: .json(.init(items: result.items.map(Components.Schemas.Webhook.init), nextCursor: result.nextCursor))))
    }

    func createWebhook(_ input: Operations.CreateWebhook.Input) async throws -> Operations.CreateWebhook.Output {
        guard case .json(let body) = input.body else { throw AtelierError.badRequest("Send a JSON body.") }
        let store = services.webhookSubscriptions
        let request = WebhookSubscriptionInput(body)
        let (subscription, secret) = try await database.transaction { db in try await store.create(request, on: db) }
        return .created(.init(body: .json(.init(webhook: .init(subscription), secret: secret))))
    }

    func getWebhook(_ input: Operations.GetWebhook.Input) async throws -> Operations.GetWebhook.Output {
        let id = input.path.webhookId
        let store = services.webhookSubscriptions
        guard let subscription = try await database.withConnection({ db in try await store.find(id: id, on: db) }) else {
            throw AtelierError.notFound("Webhook subscription '\(id)'")
        }
        return .ok(.init(body: .json(.init(subscription))))
    }

    func replaceWebhook(_ input: Operations.ReplaceWebhook.Input) async throws -> Operations.ReplaceWebhook.Output {
        guard case .json(let body) = input.body else { throw AtelierError.badRequest("Send a JSON body.") }
        let (id, store, request) = (input.path.webhookId, services.webhookSubscriptions, WebhookSubscriptionInput(body))
        let subscription = try await database.transaction { db in try await store.replace(id: id, with: request, on: db) }
        return .ok(.init(body: .json(.init(subscription))))
    }

    func deleteWebhook(_ input: Operations.DeleteWebhook.Input) async throws -> Operations.DeleteWebhook.Output {
        let (id, store) = (input.path.webhookId, services.webhookSubscriptions)
        try await database.transaction { db in try await store.delete(id: id, on: db) }
        return .noContent(.init())
    }

    func rotateWebhookSecret(_ input: Operations.RotateWebhookSecret.Input) async throws -> Operations.RotateWebhookSecret.Output {
        let (id, store, overlap) = (input.path.webhookId, services.webhookSubscriptions, configuration.delivery.webhooks.secretOverlap)
        let (subscription, secret) = try await database.transaction { db in try await store.rotateSecret(id: id, overlap: overlap, on: db) }
        return .ok(.init(body: .json(.init(webhook: .init(subscription), secret: secret))))
    }

    func testWebhook(_ input: Operations.TestWebhook.Input) async throws -> Operations.TestWebhook.Output {
        let (id, store, deliveries) = (input.path.webhookId, services.webhookSubscriptions, services.deliveries)
        let delivery = try await database.transaction { db -> EventDelivery in
            guard let subscription = try await store.find(id: id, on: db) else { throw AtelierError.notFound("Webhook subscription '\(id)'") }
            return try await deliveries.sendTest(to: subscription, on: db)
        }
        return .accepted(.init(body: .json(.init(delivery))))
    }

    func listWebhookDeliveries(_ input: Operations.ListWebhookDeliveries.Input) async throws -> Operations.ListWebhookDeliveries.Output {
        let id = input.path.webhookId
        let page = try PageRequest(limit: input.query.limit, cursor: input.query.cursor)
        let status = input.query.status.flatMap { EventDelivery.Status(rawValue: $0.rawValue) }
        let (store, deliveries) = (services.webhookSubscriptions, services.deliveries)
        let result = try await database.withConnection { db -> Page<EventDelivery> in
            guard try await store.find(id: id, on: db) != nil else { throw AtelierError.notFound("Webhook subscription '\(id)'") }
            return try await deliveries.list(subscriptionId: id, status: status, page: page, on: db)
        }
        return .ok(.init(body: .json(.init(items: result.items.map(Components.Schemas.WebhookDelivery.init), nextCursor: result.nextCursor))))
    }

    func getWebhookDelivery(_ input: Operations.GetWebhookDelivery.Input) async throws -> Operations.GetWebhookDelivery.Output {
        let (id, deliveries) = (input.path.deliveryId, services.deliveries)
        let detail = try await database.withConnection { db -> Components.Schemas.WebhookDeliveryDetail in
            guard let delivery = try await deliveries.find(id: id, on: db) else { throw AtelierError.notFound("Delivery '\(id)'") }
            let attempts = try await deliveries.attempts(deliveryId: id, on: db)
            return .init(delivery: .init(delivery), payload: delivery.payload, attempts: attempts.map {
                .init(number: $0.number, at: $0.at, url: $0.url, status: $0.status, latencyMs: $0.latencyMs,
                      responseExcerpt: $0.responseExcerpt, error: $0.error)
            })
        }
        return .ok(.init(body: .json(detail)))
    }

    func redeliverWebhook(_ input: Operations.RedeliverWebhook.Input) async throws -> Operations.RedeliverWebhook.Output {
        let (id, deliveries) = (input.path.deliveryId, services.deliveries)
        let delivery = try await database.transaction { db in try await deliveries.redeliver(id: id, on: db) }
        return .accepted(.init(body: .json(.init(delivery))))
    }
}

extension APIHandlers {
    func receiveFulfillmentUpdate(_ input: Operations.ReceiveFulfillmentUpdate.Input) async throws -> Operations.ReceiveFulfillmentUpdate.Output {
        guard let fulfillment = configuration.delivery.fulfillment else {
            throw AtelierError(.notFound, code: .providerNotConfigured, title: "Not configured",
                               detail: "No fulfillment service is configured on this server (ATELIER_FULFILLMENT_URL).")
        }
        let raw = Array((RequestScope.current?.rawBody ?? ByteBuffer()).readableBytesView)
        let headers = input.headers
        try WebhookSigner.verify(secrets: [fulfillment.secret], id: headers.webhookId, timestamp: headers.webhookTimestamp,
                                 signatures: headers.webhookSignature, body: raw, now: clock.now)
        struct Report: Decodable {
            var type: String
            var data: FulfillmentUpdate
        }
        let report: Report
        do {
            report = try Self.canonicalDecoder.decode(Report.self, from: Data(raw))
        } catch {
            throw AtelierError(.unprocessable, code: .malformedUpdate, title: "Malformed update",
                               detail: "Send {\"type\": \"fulfillment.update\", \"data\": {\"orderId\", \"status\", …}} (see the operation's description).")
        }
        guard report.type == "fulfillment.update" else {
            return .ok(.init(body: .json(.init(received: true, outcome: "ignored"))))
        }
        let (updates, eventId) = (services.fulfillmentUpdates, headers.webhookId)
        let outcome = try await database.transaction { db in try await updates.apply(report.data, eventId: eventId, on: db) }
        RequestScope.current?.logger.info("fulfillment update", metadata: [
            "order_id": .string(report.data.orderId), "status": .string(report.data.status), "outcome": .string(outcome.rawValue),
        ])
        return .ok(.init(body: .json(.init(received: true, outcome: outcome.rawValue))))
    }
}

extension WebhookSubscriptionInput {
    init(_ body: Components.Schemas.WebhookInput) {
        self.init(url: body.url, description: body.description, eventTypes: body.eventTypes.map(\.rawValue), active: body.active ?? true)
    }
}

extension Components.Schemas.Webhook {
    init(_ subscription: WebhookSubscription) {
        self.init(id: subscription.id, url: subscription.url, description: subscription.description, eventTypes: subscription.eventTypes,
                  active: subscription.active, disabledReason: subscription.disabledReason, failingSince: subscription.failingSince,
                  previousSecretExpiresAt: subscription.previousSecretExpiresAt, createdAt: subscription.createdAt, updatedAt: subscription.updatedAt)
    }
}

extension Components.Schemas.WebhookDelivery {
    init(_ delivery: EventDelivery) {
        self.init(id: delivery.id, webhookId: delivery.subscriptionId, eventId: delivery.eventId, eventType: delivery.eventType,
                  status: .init(rawValue: delivery.status.rawValue)!, attempts: delivery.attempts, nextAttemptAt: delivery.nextAttemptAt,
                  lastStatus: delivery.lastStatus, lastError: delivery.lastError, createdAt: delivery.createdAt, completedAt: delivery.completedAt)
    }
}
