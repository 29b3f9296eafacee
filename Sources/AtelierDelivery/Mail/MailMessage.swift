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
