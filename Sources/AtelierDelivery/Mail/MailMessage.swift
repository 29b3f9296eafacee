import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import Foundation

/// One email with a plain-text and an HTML part, written as a MIME `multipart/alternative` message.
public struct MailMessage: Sendable, Equatable {
    public var from: String
    public var to: String
    public var subject: String
    public var text: String
    public var html: String
    /// Stable per event (`<evt_…@host>`), so a message sent twice after a crash is recognisably the same one.
    public var messageId: String
    public var date: Date

    public init(from: String, to: String, subject: String, text: String, html: String, messageId: String, date: Date) {
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.messageId = messageId
        self.date = date
    }

    /// The bare address of the sender, for the SMTP envelope (`Shop <orders@shop.example>` → `orders@shop.example`).
    public static func address(of mailbox: String) -> String {
        if let open = mailbox.lastIndex(of: "<"), let close = mailbox.lastIndex(of: ">"), open < close {
            return String(mailbox[mailbox.index(after: open)..<close])
        }
        return mailbox.trimmingCharacters(in: .whitespaces)
    }

    /// The message as sent: CRLF line ends, 7-bit clean (non-ASCII headers as RFC 2047 words, bodies in base64).
    public func mime() -> String {
        let boundary = "atelier-" + String(Secret.sha256Hex(messageId).prefix(24))
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        var lines = [
            "From: \(Self.encodeHeader(from))",
            "To: \(Self.encodeHeader(to))",
            "Subject: \(Self.encodeHeader(subject))",
            "Date: \(formatter.string(from: date))",
            "Message-ID: \(messageId)",
            "MIME-Version: 1.0",
            "Content-Type: multipart/alternative; boundary=\"\(boundary)\"",
            "",
            "This is a multi-part message in MIME format.",
        ]
        for (type, body) in [("text/plain", text), ("text/html", html)] {
            lines += ["--\(boundary)", "Content-Type: \(type); charset=utf-8", "Content-Transfer-Encoding: base64", ""]
            lines += Self.wrap(Data(body.utf8).base64EncodedString(), width: 76)
        }
        lines.append("--\(boundary)--")
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// ASCII stays as it is; anything else becomes `=?utf-8?B?…?=` (display names only: addresses are ASCII).
    static func encodeHeader(_ value: String) -> String {
        let clean = value.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        guard !clean.unicodeScalars.allSatisfy({ $0.isASCII }) else { return clean }
        if let open = clean.lastIndex(of: "<"), clean.hasSuffix(">") {
            let name = clean[..<open].trimmingCharacters(in: .whitespaces)
            return "=?utf-8?B?\(Data(name.utf8).base64EncodedString())?= " + clean[open...]
        }
        return "=?utf-8?B?\(Data(clean.utf8).base64EncodedString())?="
    }

    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var index = text.startIndex
        while index < text.endIndex {
            let end = text.index(index, offsetBy: width, limitedBy: text.endIndex) ?? text.endIndex
            lines.append(String(text[index..<end]))
            index = end
        }
        return lines
    }
}

/// Where messages go.
public protocol MailTransport: Sendable {
    /// Sends one message; answers a short description of what the receiving side said.
    func send(_ message: MailMessage) async throws -> String
    /// The longest one send may take before it gives up (a delivery's lease must outlast it).
    var longestSend: Duration { get }
}

extension MailTransport {
    public var longestSend: Duration { .seconds(5) }
}

/// The default: a copy of each message under `ATELIER_DATA_DIR/mail`, written whole or not at all and
/// sealed with the personal data keys, since a message names the shopper, their address and their order.
/// `NAME.eml.sealed` holds the `.eml` message sealed like any other personal data (`v1.<key id>.…`);
/// `atelier open-mail FILE` prints it, and `FileMailTransport.open` reads it for code.
public struct FileMailTransport: MailTransport {
    /// What a sealed copy's name ends with.
    public static let suffix = ".eml.sealed"

    public let directory: URL
    let cipher: PersonalDataCipher

    public init(directory: URL, cipher: PersonalDataCipher) {
        self.directory = directory
        self.cipher = cipher
    }

    public func send(_ message: MailMessage) async throws -> String {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let stamp = Int(message.date.timeIntervalSince1970)
        let name = "\(stamp)-" + message.messageId.filter { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" } + Self.suffix
        let target = directory.appendingPathComponent(name)
        let temporary = directory.appendingPathComponent(".\(name).\(UUID().uuidString).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: Data(try cipher.seal(message.mime()).utf8),
                                             attributes: [.posixPermissions: 0o600])
        else { throw CocoaError(.fileWriteUnknown) }
        // A re-send after a crash replaces the same file: one message per event on disk.
        _ = try? FileManager.default.removeItem(at: target)
        try FileManager.default.moveItem(at: temporary, to: target)
        return "stored \(name)"
    }

    /// The `.eml` message in a sealed copy; throws when the file cannot be read or the keys do not open it.
    public static func open(_ file: URL, cipher: PersonalDataCipher) throws -> String {
        let sealed = String(decoding: try Data(contentsOf: file), as: UTF8.self)
        return try cipher.open(sealed.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Whether a file in the mail folder is a copy of a sent email: sealed, a plain `.eml` written before
    /// copies were sealed, or a temporary one a crash left behind. Retention and erasure delete them all.
    public static func isCopy(_ name: String) -> Bool {
        name.hasSuffix(suffix) || name.hasSuffix(".eml") || (name.hasPrefix(".") && name.hasSuffix(".tmp") && name.contains(".eml"))
    }
}
