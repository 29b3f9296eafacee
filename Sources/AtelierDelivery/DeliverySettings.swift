import AtelierCore
import Foundation

/// The delivery module's settings: partner webhooks, the fulfillment service, and the shopper's emails.
public struct DeliverySettings: Sendable {
    /// Outgoing partner webhooks.
    public var webhooks = WebhookSettings()
    /// The fulfillment service paid orders go to; nil: none.
    public var fulfillment: FulfillmentSettings?
    /// The shopper's emails; nil sends none (tests that do not need them). `read` always sets them.
    public var mail: MailSettings?

    public init() {}

    /// Reads the variables below; a bad one is recorded in `reader` and leaves its default. `dataDirectory` holds
    /// the `.eml` copies when no SMTP relay is set, `publicURL` is where the fulfillment service fetches artwork,
    /// `storefrontURL` the base of the emails' tracking link.
    package static func read(_ reader: inout EnvironmentReader, dataDirectory: String, publicURL: String,
                             storefrontURL: String) -> DeliverySettings {
        var settings = DeliverySettings()
        settings.webhooks.allowPrivateTargets = reader.boolean("ATELIER_WEBHOOK_ALLOW_PRIVATE", default: settings.webhooks.allowPrivateTargets)
        if let raw = reader.value("ATELIER_WEBHOOK_ALLOWED_HOSTS") {
            settings.webhooks.allowedHosts = Set(raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty })
        }
        if let url = reader.value("ATELIER_FULFILLMENT_URL") {
            if AddressGuard.checkSyntax(url) != nil { reader.problems.append("ATELIER_FULFILLMENT_URL=\(url): must be an http(s) URL") }
            if let secret = reader.value("ATELIER_FULFILLMENT_SECRET"), WebhookSigner.signature(secret: secret, id: "x", timestamp: 0, body: []) != nil {
                settings.fulfillment = FulfillmentSettings(url: url, secret: secret, publicBaseURL: publicURL)
            } else {
                reader.problems.append("ATELIER_FULFILLMENT_SECRET: required with ATELIER_FULFILLMENT_URL, as whsec_ and base64 (value not shown)")
            }
        }
        var transport = MailSettings.Transport.files(URL(fileURLWithPath: dataDirectory).appendingPathComponent("mail").path)
        if let raw = reader.value("ATELIER_SMTP_URL") {
            let (smtp, problem) = SMTPSettings.parse(raw, caFile: reader.value("ATELIER_SMTP_CA_FILE"))
            if let smtp { transport = .smtp(smtp) } else {
                // The URL may carry a password: never echo it.
                reader.problems.append("ATELIER_SMTP_URL: \(problem ?? "unusable") (value not shown)")
            }
        }
        let from = reader.value("ATELIER_MAIL_FROM") ?? "Atelier <orders@atelier.invalid>"
        if !MailMessage.address(of: from).contains("@") || from.contains(where: \.isNewline) {
            reader.problems.append("ATELIER_MAIL_FROM=\(from): must be an address, like Shop <orders@shop.example>")
        }
        settings.mail = MailSettings(from: from, shopName: reader.value("ATELIER_SHOP_NAME") ?? "Atelier", trackingBaseURL: storefrontURL,
                                     transport: transport)
        settings.webhooks.totalTimeout = reader.duration("ATELIER_WEBHOOK_TIMEOUT_SECONDS", default: settings.webhooks.totalTimeout,
                                                         unit: .seconds(1), in: 1...120)
        settings.webhooks.connectTimeout = min(settings.webhooks.connectTimeout, settings.webhooks.totalTimeout)
        settings.webhooks.workers = reader.integer("ATELIER_WEBHOOK_WORKERS", default: settings.webhooks.workers, in: 1...64)
        settings.webhooks.secretOverlap = reader.seconds("ATELIER_WEBHOOK_SECRET_OVERLAP_SECONDS", default: settings.webhooks.secretOverlap,
                                                         in: 0...2_592_000)
        settings.webhooks.retry.disableAfter = reader.seconds("ATELIER_WEBHOOK_DISABLE_AFTER_SECONDS", default: settings.webhooks.retry.disableAfter,
                                                              in: 60...31_536_000)
        if let raw = reader.value("ATELIER_WEBHOOK_RETRY_SCHEDULE") {
            let delays = raw.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            if delays.isEmpty || delays.count > 30 || delays.contains(where: { $0 == nil || $0! < 0 || $0! > 604_800 }) {
                reader.problems.append("ATELIER_WEBHOOK_RETRY_SCHEDULE=\(raw): must be 1–30 comma-separated waits in seconds, each at most 604800")
            } else {
                settings.webhooks.retry.delays = delays.map { TimeInterval($0!) }
            }
        }
        return settings
    }

    /// The variables `read` reads, as the README documents them.
    public static let variables: [EnvironmentVariable] = [
        .init("ATELIER_FULFILLMENT_URL", "(unset: no fulfillment service)", "where paid orders are delivered (signed like partner webhooks)"),
        .init("ATELIER_FULFILLMENT_SECRET", "(required with the URL)", "whsec_… shared with the fulfillment service: signs our deliveries and its updates to /webhooks/fulfillment"),
        .init("ATELIER_SHOP_NAME", "Atelier", "the shop's name in emails"),
        .init("ATELIER_MAIL_FROM", "Atelier <orders@atelier.invalid>", "the sender of the shopper's emails"),
        .init("ATELIER_SMTP_URL", "(unset: sealed .eml copies under ATELIER_DATA_DIR/mail)", "smtp://USER:PASSWORD@HOST:587 (STARTTLS required), smtps://…:465, or smtp://HOST:25?starttls=off for a local relay"),
        .init("ATELIER_SMTP_CA_FILE", "(unset: the system's)", "PEM certificate authorities to trust for the SMTP relay"),
        .init("ATELIER_WEBHOOK_ALLOW_PRIVATE", "false", "true: webhook URLs may point at loopback, private and link-local addresses"),
        .init("ATELIER_WEBHOOK_ALLOWED_HOSTS", "(unset: any public host)", "comma-separated host names; when set, webhooks go only to these"),
        .init("ATELIER_WEBHOOK_TIMEOUT_SECONDS", "15", "longest a webhook receiver may take to answer (connecting takes at most 5 s of it)"),
        .init("ATELIER_WEBHOOK_WORKERS", "4", "concurrent webhook deliveries per process (with ATELIER_WORKERS above 0)"),
        .init("ATELIER_WEBHOOK_RETRY_SCHEDULE", "5,60,300,1800,7200,21600,43200,86400,100800", "seconds to wait after each failed attempt (±10 %); after the last, the delivery is dead"),
        .init("ATELIER_WEBHOOK_DISABLE_AFTER_SECONDS", "259200", "a subscription whose deliveries all failed for this long is disabled (3 days)"),
        .init("ATELIER_WEBHOOK_SECRET_OVERLAP_SECONDS", "86400", "how long a rotated-out secret keeps signing beside the new one"),
    ]
}
