import AtelierCore
import AtelierCatalog
import AtelierCustomization
import AtelierCommerce
import Foundation

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
