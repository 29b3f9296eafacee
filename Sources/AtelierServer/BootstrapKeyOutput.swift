import Atelier
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Where the bootstrap admin key and the console's first one-time password go: a file only its owner may read, and
/// the terminal when a person started the server. Never standard output, which is the log stream that log
/// collectors keep.
public enum BootstrapKeyOutput {
    public static let fileName = "bootstrap-admin-key"
    public static let consolePasswordFileName = "bootstrap-console-password"

    public static func deliver(_ issued: IssuedAPIKey, dataDirectory: String, address: String, logger: Logger) {
        let path = URL(fileURLWithPath: dataDirectory).appendingPathComponent(fileName).path
        do {
            try write(issued.token + "\n", toPrivateFile: path)
            logger.notice("the bootstrap admin API key is in a file only this user can read; delete it once the key is kept elsewhere",
                          metadata: ["path": .string(path), "api_key_id": .string(issued.key.id)])
        } catch {
            logger.error("could not write the bootstrap admin API key's file", metadata: ["path": .string(path), "error": .string("\(error)")])
        }
        guard isatty(STDERR_FILENO) == 1 else { return }
        FileHandle.standardError.write(Data("""

            A new admin API key was created because the database had none. It is shown only this once
            (and kept in \(path), readable by this user only; delete the file once you have kept the key):

                \(issued.token)

            Try: curl -H 'Authorization: Bearer \(issued.token)' http://\(address)/admin/me

            """.utf8))
    }

    /// The console's first admin account: its one-time password goes exactly where the key goes (a file only its
    /// owner may read, the terminal when a person started the server), never to the log.
    public static func deliver(_ issued: IssuedStaffAccount, dataDirectory: String, address: String, logger: Logger) {
        let path = URL(fileURLWithPath: dataDirectory).appendingPathComponent(consolePasswordFileName).path
        do {
            try write(issued.oneTimePassword + "\n", toPrivateFile: path)
            logger.notice("the console's first admin account has a one-time password in a file only this user can read; delete it once you have signed in",
                          metadata: ["path": .string(path), "staff_id": .string(issued.account.id), "email": .string(issued.account.email)])
        } catch {
            logger.error("could not write the console's one-time password file", metadata: ["path": .string(path), "error": .string("\(error)")])
        }
        guard isatty(STDERR_FILENO) == 1 else { return }
        FileHandle.standardError.write(Data("""

            A console admin account was created because the database had no staff account. Its one-time password is
            shown only this once (and kept in \(path), readable by this user only); you choose a new one at sign-in:

                Console sign-in: http://\(address)/console/sign-in  email \(issued.account.email)  one-time password \(issued.oneTimePassword)

            """.utf8))
    }

    /// Creates the file with mode 0600 from the start (never briefly readable by others), replacing an old one.
    static func write(_ text: String, toPrivateFile path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        unlink(path)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw CocoaError(.fileWriteNoPermission) }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw CocoaError(.fileWriteUnknown) }
    }
}
