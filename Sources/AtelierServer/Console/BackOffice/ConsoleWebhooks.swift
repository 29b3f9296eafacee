import Atelier
import Foundation
import HTTPTypes
import Hummingbird

/// Webhook subscriptions, for admins: the list, a new subscription (its signing secret shown once), and a
/// subscription's page with its deliveries and every attempt, a button to deliver one again, the secret's
/// rotation and deleting it. Through the same stores as the admin API.
struct ConsoleWebhooks: Sendable {
    let services: AppServices
    let page: ConsolePage

    static let deliveriesPerPage = 20
    /// Enough of a receiver's answer to tell what it said.
    static let excerptLength = 200

    /// The new subscription's form as typed.
    struct Draft {
        var url = ""
        var description = ""
        var events: [String] = []
    }

    func list(staff: StaffSessionContext, cursor: String? = nil, draft: Draft = Draft(), errors: ConsoleFieldErrors = ConsoleFieldErrors(),
              created: (WebhookSubscription, secret: String)? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let request: PageRequest
        do {
            request = try PageRequest(limit: PageRequest.maxLimit, cursor: cursor)
        } catch {
            return page.error(.badRequest, heading: "Bad page", message: "That page of subscriptions does not exist; start again from the first.", staff: staff)
        }
        let store = services.webhookSubscriptions
        let found = try await services.database.withConnection { db in try await store.list(page: request, on: db) }
        let rows: [[String: Any]] = found.items.map { subscription in
            ["id": subscription.id, "url": subscription.url, "description": subscription.description as Any,
             "events": subscription.eventTypes.joined(separator: ", "), "kind": subscription.kind.rawValue, "state": state(subscription),
             "configured": subscription.kind != .partner]
        }
        let chosen = Set(draft.events)
        let choices = ["*"] + WebhookSubscriptionStore.eventTypes
        return page.render("webhooks", title: "Webhooks", status: status, staff: staff, values: [
            "subscriptions": rows, "next": found.nextCursor.map { "/console/webhooks?cursor=\($0)" } as Any,
            "summary": errors.summary as Any,
            "created": created.map { ["id": $0.0.id, "url": $0.0.url, "secret": $0.secret] } as Any,
            "urlField": errors.field("webhook-url", label: "Receiver's URL (https)", value: draft.url, type: "url", required: true),
            "descriptionField": errors.field("webhook-description", label: "Description (optional)", value: draft.description),
            "eventsGroup": errors.group("webhook-events") as Any,
            "eventChoices": choices.enumerated().map { index, event in
                ["value": event, "label": event == "*" ? "Every event (*)" : event, "checkboxId": "webhook-event-\(index)",
                 "checked": chosen.contains(event)] as [String: Any]
            },
        ])
    }

    func create(_ form: ConsoleForm, staff: StaffSessionContext) async throws -> Response {
        let draft = Draft(url: form["webhook-url"] ?? "", description: form["webhook-description"] ?? "",
                          events: form.ordered.filter { $0.name == "event" }.map { $0.value })
        let description = draft.description.trimmingCharacters(in: .whitespacesAndNewlines)
        let input = WebhookSubscriptionInput(url: draft.url.trimmingCharacters(in: .whitespaces),
                                             description: description.isEmpty ? nil : description, eventTypes: draft.events)
        let store = services.webhookSubscriptions
        let created: (WebhookSubscription, secret: String)
        do {
            created = try await services.database.transaction { db in try await store.create(input, on: db) }
        } catch let error as AtelierError where error.status < 500 {
            let errors = ConsoleFieldErrors(error) { pointer in
                if pointer == "/url" { return "webhook-url" }
                if pointer == "/description" { return "webhook-description" }
                return pointer.hasPrefix("/eventTypes") ? "webhook-events" : nil
            }
            return try await list(staff: staff, draft: draft, errors: errors, status: HTTPResponse.Status(code: error.status))
        }
        return try await list(staff: staff, created: created)
    }

    func subscription(id: String, staff: StaffSessionContext, cursor: String? = nil, secret: String? = nil, error: String? = nil,
                      status: HTTPResponse.Status = .ok) async throws -> Response {
        let request: PageRequest
        do {
            request = try PageRequest(limit: Self.deliveriesPerPage, cursor: cursor)
        } catch {
            return page.error(.badRequest, heading: "Bad page", message: "That page of deliveries does not exist; start again from the first.", staff: staff)
        }
        let (store, deliveries) = (services.webhookSubscriptions, services.deliveries)
        let found = try await services.database.withConnection { db -> (WebhookSubscription, Page<EventDelivery>, [String: [DeliveryAttempt]])? in
            guard let subscription = try await store.find(id: id, on: db) else { return nil }
            let sent = try await deliveries.list(subscriptionId: id, status: nil, page: request, on: db)
            var attempts: [String: [DeliveryAttempt]] = [:]
            for delivery in sent.items { attempts[delivery.id] = try await deliveries.attempts(deliveryId: delivery.id, on: db) }
            return (subscription, sent, attempts)
        }
        guard let (subscription, sent, attempts) = found else {
            return page.error(.notFound, heading: "No such subscription", message: "There is no webhook subscription with that id.", staff: staff)
        }
        let orders = ConsoleOrders(services: services, page: page)
        let rows: [[String: Any]] = sent.items.map { delivery -> [String: Any] in
            let tries: [[String: Any]] = (attempts[delivery.id] ?? []).map { attempt in
                ["number": attempt.number, "at": orders.time(attempt.at), "latency": attempt.latencyMs, "code": attempt.status.map { "\($0)" } ?? "",
                 "status": attempt.status.map { "HTTP \($0)" } ?? "no answer", "succeeded": attempt.status.map { (200..<300).contains($0) } ?? false,
                 "attemptError": attempt.error as Any, "excerpt": attempt.responseExcerpt.flatMap { $0.isEmpty ? nil : String($0.prefix(Self.excerptLength)) } as Any]
            }
            return ["id": delivery.id, "webhookId": delivery.subscriptionId, "eventType": delivery.eventType, "eventId": delivery.eventId, "status": delivery.status.rawValue,
                    "attemptCount": delivery.attempts, "created": orders.time(delivery.createdAt), "attempts": tries,
                    "nextAttempt": (delivery.status == .pending ? orders.time(delivery.nextAttemptAt) : nil) as Any,
                    "completed": delivery.completedAt.map(orders.time) as Any]
        }
        return page.render("webhook", title: "Webhook \(subscription.url)", status: status, staff: staff, values: [
            "id": subscription.id, "url": subscription.url, "description": subscription.description as Any,
            "events": subscription.eventTypes.joined(separator: ", "), "kind": subscription.kind.rawValue, "state": state(subscription),
            "editable": subscription.kind == .partner, "created": orders.time(subscription.createdAt),
            "previousSecretUntil": subscription.previousSecretExpiresAt.map(orders.time) as Any,
            "deliveries": rows, "next": sent.nextCursor.map { "/console/webhooks/\(subscription.id)?cursor=\($0)" } as Any,
            "secret": secret as Any, "error": error as Any,
        ])
    }

    func rotateSecret(id: String, staff: StaffSessionContext) async throws -> Response {
        let (store, overlap) = (services.webhookSubscriptions, services.configuration.delivery.webhooks.secretOverlap)
        let rotated: (WebhookSubscription, secret: String)
        do {
            rotated = try await services.database.transaction { db in try await store.rotateSecret(id: id, overlap: overlap, on: db) }
        } catch let error as AtelierError where error.status < 500 {
            return try await refused(error, id: id, staff: staff)
        }
        return try await subscription(id: id, staff: staff, secret: rotated.secret)
    }

    func delete(id: String, staff: StaffSessionContext) async throws -> Response {
        let store = services.webhookSubscriptions
        do {
            try await services.database.transaction { db in try await store.delete(id: id, on: db) }
        } catch let error as AtelierError where error.status < 500 {
            return try await refused(error, id: id, staff: staff)
        }
        return ConsolePage.redirect(to: "/console/webhooks")
    }

    /// Delivers one of the subscription's deliveries again, as the admin API's `redeliverWebhook` does.
    func redeliver(webhookId: String, deliveryId: String, staff: StaffSessionContext) async throws -> Response {
        let deliveries = services.deliveries
        let again = try await services.database.transaction { db -> EventDelivery? in
            guard let delivery = try await deliveries.find(id: deliveryId, on: db), delivery.subscriptionId == webhookId else { return nil }
            return try await deliveries.redeliver(id: delivery.id, on: db)
        }
        guard again != nil else {
            return page.error(.notFound, heading: "No such delivery", message: "The subscription has no delivery with that id.", staff: staff)
        }
        return ConsolePage.redirect(to: "/console/webhooks/\(webhookId)")
    }

    private func refused(_ error: AtelierError, id: String, staff: StaffSessionContext) async throws -> Response {
        guard error.kind != .notFound else {
            return page.error(.notFound, heading: "No such subscription", message: "There is no webhook subscription with that id.", staff: staff)
        }
        return try await subscription(id: id, staff: staff, error: error.detail, status: HTTPResponse.Status(code: error.status))
    }

    private func state(_ subscription: WebhookSubscription) -> String {
        let orders = ConsoleOrders(services: services, page: page)
        if !subscription.active { return "stopped" + (subscription.disabledReason.map { ": \($0)" } ?? "") }
        if let since = subscription.failingSince { return "active, failing since \(orders.time(since))" }
        return "active"
    }
}
