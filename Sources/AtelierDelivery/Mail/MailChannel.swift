import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import AsyncHTTPClient
import Foundation
import Logging

/// The shopper's emails: composed from the order when sent, through the configured transport (sealed
/// `.eml` copies in a folder, or an SMTP relay); the result reads like an SMTP reply.
public struct MailChannel: DeliveryChannel {
    public let composer: MailComposer
    public let transport: any MailTransport

    public init(settings: MailSettings, cipher: PersonalDataCipher, clock: WallClock = .system) {
        self.composer = MailComposer(settings: settings, cipher: cipher, clock: clock)
        let transport: any MailTransport = switch settings.transport {
        case .files(let folder): FileMailTransport(directory: URL(fileURLWithPath: folder), cipher: cipher)
        case .smtp(let smtp): SMTPTransport(settings: smtp)
        }
        self.transport = transport
    }

    public var kind: WebhookSubscription.Kind { .mail }
    public var longestSend: Duration { transport.longestSend }

    /// The mail subscription, its URL naming the transport.
    public func prepare(subscriptions: WebhookSubscriptionStore, on database: any DatabaseClient, logger: Logger) async {
        let target = switch composer.settings.transport {
        case .files(let folder): "file://" + folder
        case .smtp(let smtp): "smtp://\(smtp.host):\(smtp.port)"
        }
        do {
            try await database.transaction { db in try await subscriptions.ensureMail(target: target, on: db) }
        } catch {
            logger.error("could not set up the mail subscription", metadata: ["error": .string(String(reflecting: error))])
        }
    }

    /// Writes and sends the email an event calls for.
    public func send(_ delivery: EventDelivery, to subscription: WebhookSubscription, secrets: [String],
                     database: any DatabaseClient, client: HTTPClient) async -> DeliveryResult {
        let started = ContinuousClock.now
        func elapsed() -> Int { Int((ContinuousClock.now - started).milliseconds) }
        do {
            let composer = self.composer
            guard let message = try await database.withConnection({ db in try await composer.message(for: delivery, on: db) }) else {
                return .init(status: 250, latencyMs: elapsed(), responseExcerpt: "no email for this event", error: nil, retryAfter: nil)
            }
            let reply = try await transport.send(message)
            return .init(status: 250, latencyMs: elapsed(), responseExcerpt: reply, error: nil, retryAfter: nil)
        } catch let error as SMTPError {
            return .init(status: error.code, latencyMs: elapsed(), responseExcerpt: nil, error: error.description, retryAfter: nil)
        } catch {
            return .failed(String(String(describing: error).prefix(300)), latencyMs: elapsed())
        }
    }
}
