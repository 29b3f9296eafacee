import AtelierCore
import Foundation
import HummingbirdBcrypt
import NIOPosix
import Synchronization

/// Staff passwords: one-time passwords made for people to type, the rules a chosen password follows, and bcrypt,
/// run on NIO's blocking thread pool (a check takes a quarter of a second at cost 12; it must not hold one of the
/// few threads that run every request).
enum StaffPassword {
    /// Letters and digits that cannot be mistaken for each other (no 0/O/o, 1/l/I/i).
    static let alphabet = Array("23456789abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ")
    /// 20 characters of 55: about 115 bits.
    static let oneTimeLength = 20
    /// bcrypt reads at most this many bytes of a password; a longer one would be cut silently.
    static let maximumBytes = 72

    static func oneTime() -> String {
        var rng = SystemRandomNumberGenerator()
        return String((0..<oneTimeLength).map { _ in alphabet.randomElement(using: &rng)! })
    }

    /// Whether bcrypt can take the text as it is: no NUL (its C code stops there) and at most 72 bytes.
    static func isHashable(_ password: String) -> Bool {
        password.utf8.count <= maximumBytes && !password.utf8.contains(0)
    }

    static func hash(_ password: String, cost: UInt8) async throws -> String {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    static func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }

    private static let dummyHashes = Mutex<[UInt8: String]>([:])

    /// A hash of a password nobody has, made once per cost: checking a password against it takes as long as
    /// checking a real account's, so the time of an answer does not tell whether the email exists.
    static func dummyHash(cost: UInt8) async throws -> String {
        if let known = dummyHashes.withLock({ $0[cost] }) { return known }
        let made = try await hash(Secret.randomToken(bytes: 16), cost: cost)
        return dummyHashes.withLock { hashes -> String in
            if let known = hashes[cost] { return known }
            hashes[cost] = made
            return made
        }
    }

    /// Every reason `password` may not become the account's password, at `/newPassword`; empty when it may.
    static func problems(_ password: String, email: String, current: String?, minimumLength: Int) -> [AtelierError.FieldError] {
        var problems = ValidationErrors()
        let pointer = "/newPassword"
        if password.count < minimumLength {
            problems.add(pointer, .weakPassword, "must be at least \(minimumLength) characters.")
        }
        if password.utf8.count > maximumBytes {
            problems.add(pointer, .tooLong, "must be at most \(maximumBytes) bytes (bcrypt reads no further).")
        }
        if password.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            problems.add(pointer, .invalidCharacters, "must not contain control characters.")
        }
        if password.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() == email.lowercased() {
            problems.add(pointer, .weakPassword, "must not be the account's email.")
        }
        if let current, password == current {
            problems.add(pointer, .weakPassword, "must differ from the current password.")
        }
        return problems.errors
    }

    /// The error for a password with `problems`.
    static func weak(_ problems: [AtelierError.FieldError]) -> AtelierError {
        AtelierError(
            .unprocessable, code: .weakPassword, title: "The new password is not allowed",
            detail: problems.map(\.message).joined(separator: " "), errors: problems
        )
    }
}
