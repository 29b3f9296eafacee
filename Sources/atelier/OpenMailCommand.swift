import ArgumentParser
import Atelier
import Foundation

/// Copies of sent emails are kept sealed with the personal data keys: this prints them as messages.
struct OpenMail: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "open-mail",
        abstract: "Print sealed email copies (ATELIER_DATA_DIR/mail/*.eml.sealed) as .eml messages, opened with the personal data keys."
    )

    @Argument(help: "The sealed copies to open.") var files: [String]

    func run() async throws {
        let configuration = try Environment.load().configuration
        // Never make new keys here: they would open nothing.
        let keyFile = URL(fileURLWithPath: configuration.server.dataDirectory).appendingPathComponent("keys.json")
        guard configuration.privacy.personalDataKeys != nil || FileManager.default.fileExists(atPath: keyFile.path) else {
            throw ValidationError("no personal data keys: set ATELIER_DATA_KEYS and ATELIER_LOOKUP_KEY, or ATELIER_DATA_DIR to the folder with keys.json")
        }
        let cipher = try PersonalDataKeys.load(configuration)
        for file in files {
            if files.count > 1 { print("==> \(file) <==") }
            do {
                print(try FileMailTransport.open(URL(fileURLWithPath: file), cipher: cipher), terminator: "")
            } catch {
                throw ValidationError("\(file): cannot be opened with these keys (\(error))")
            }
        }
    }
}
