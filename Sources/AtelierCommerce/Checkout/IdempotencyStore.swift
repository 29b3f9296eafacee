import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Foundation
import SQLKit

/// Remembers the first answer to a request made with an `Idempotency-Key`, so a retry gets the same
/// answer and never repeats the effect. The claim is an insert on the key's primary key inside the
/// caller's transaction: a concurrent request with the same key waits for the first to commit, then
/// finds its answer.
public struct IdempotencyStore: Sendable {
    public enum Claim: Sendable, Equatable {
        /// First use: do the work, then `complete`.
        case new
        /// The stored answer of the first request.
        case replay(status: Int, body: String)
    }

    private let clock: WallClock
    /// Seals stored answers: a checkout's answer carries the shopper's access token and the provider's
    /// client secret, which must not sit readable in the database. nil stores them as they are (tests).
    private let cipher: PersonalDataCipher?

    public init(clock: WallClock = .system, cipher: PersonalDataCipher? = nil) {
        self.clock = clock
        self.cipher = cipher
    }

    /// 1–200 visible ASCII characters; UUIDs fit.
    public static func check(key: String?) throws(AtelierError) -> String {
        guard let key else {
            throw AtelierError(.badRequest, code: .idempotencyKeyRequired, title: "Idempotency-Key required",
                               detail: "Send an Idempotency-Key header (a UUID, say) so that a retry cannot pay twice.")
        }
        guard (1...200).contains(key.utf8.count), key.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw AtelierError(.badRequest, code: .invalidIdempotencyKey, title: "Invalid Idempotency-Key",
                               detail: "The Idempotency-Key must be 1–200 visible ASCII characters, like a UUID.")
        }
        return key
    }

    public func claim(scope: String, key: String, requestHash: String, on db: any SQLDatabase) async throws -> Claim {
        let inserted = try await db.raw("""
            INSERT INTO idempotency_keys (scope, key, request_hash, created_at)
            VALUES (\(bind: scope), \(bind: key), \(bind: requestHash), \(bind: clock.now))
            ON CONFLICT (scope, key) DO NOTHING RETURNING key
            """).all()
        if !inserted.isEmpty { return .new }
        guard let row = try await db.select().columns("request_hash", "status", "response").from("idempotency_keys")
            .where("scope", .equal, scope).where("key", .equal, key).first()
        else { return .new }
        guard try row.decode(column: "request_hash", as: String.self) == requestHash else {
            throw AtelierError(.unprocessable, code: .idempotencyKeyReused, title: "Idempotency-Key reused",
                               detail: "This Idempotency-Key was used for a different request; use a new key for a new request.")
        }
        guard let status = try row.decode(column: "status", as: Int?.self), let body = try row.decode(column: "response", as: String?.self) else {
            throw AtelierError(.conflict, code: .requestInProgress, title: "Request in progress",
                               detail: "The first request with this Idempotency-Key is still being handled; retry in a moment.")
        }
        // Answers stored before they were sealed are JSON as they are.
        guard let cipher, !body.hasPrefix("{") else { return .replay(status: status, body: body) }
        return .replay(status: status, body: try cipher.open(body))
    }

    /// Forgets a claim whose request failed after the claim committed (the provider refused the payment), so
    /// the shopper may try again with the same key, as after any failed request.
    public func release(scope: String, key: String, on db: any SQLDatabase) async throws {
        try await db.delete(from: "idempotency_keys").where("scope", .equal, scope).where("key", .equal, key).run()
    }

    /// Keeps the first answer; `subject` names what it is about (a checkout id), for erasure.
    public func complete(scope: String, key: String, status: Int, body: String, subject: String? = nil, on db: any SQLDatabase) async throws {
        let stored = try cipher.map { try $0.seal(body) } ?? body
        try await db.update("idempotency_keys").set("status", to: status).set("response", to: stored).set("subject", to: subject)
            .where("scope", .equal, scope).where("key", .equal, key).run()
    }
}
