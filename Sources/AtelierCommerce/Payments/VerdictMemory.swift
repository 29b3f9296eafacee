import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Crypto
import Foundation

/// PayPal's verdicts by transmission id, bounded in entries (the oldest go first) and in time (each until
/// its transmission is out of tolerance).
actor VerdictMemory {
    enum Lookup: Sendable {
        /// The call that answers this delivery: a finished one for a replay, a running one for a copy, or a new one.
        case pending(Task<Bool, any Error>)
        /// PayPal confirmed this transmission id with other headers or another body.
        case reused
    }

    private struct Entry {
        var digest: [UInt8]
        var call: Task<Bool, any Error>
        /// PayPal's answer once it came.
        var verified: Bool?
        var expires: Date
        var order: UInt64
    }

    private let capacity: Int
    private var entries: [String: Entry] = [:]
    private var counter: UInt64 = 0

    init(capacity: Int) { self.capacity = capacity }

    var count: Int { entries.count }

    /// The remembered call for this delivery, or a new call to PayPal when there is none.
    func verdict(for transmission: PayPalTransmission, rawBody: [UInt8], digest: [UInt8], now: Date, expires: Date,
                 verify: @escaping PayPalWebhookVerifier.Verify) -> Lookup {
        let id = transmission.id
        if let entry = entries[id], entry.expires > now {
            if entry.digest == digest { return .pending(entry.call) }
            if entry.verified == true { return .reused }
        }
        if entries[id] == nil, entries.count >= capacity { makeRoom(now: now) }
        let call = Task<Bool, any Error> { try await verify(transmission, rawBody) }
        counter += 1
        entries[id] = Entry(digest: digest, call: call, verified: nil, expires: expires, order: counter)
        return .pending(call)
    }

    func settle(_ id: String, digest: [UInt8], verified: Bool) {
        guard entries[id]?.digest == digest else { return }
        entries[id]?.verified = verified
    }

    /// A call that failed (PayPal away) is not a verdict: the next delivery asks again.
    func forget(_ id: String, digest: [UInt8]) {
        guard entries[id]?.digest == digest else { return }
        entries[id] = nil
    }

    /// Drops the expired entries, then, if that was not enough, the oldest eighth.
    private func makeRoom(now: Date) {
        entries = entries.filter { $0.value.expires > now }
        guard entries.count >= capacity else { return }
        let oldest = entries.sorted { $0.value.order < $1.value.order }.prefix(max(1, capacity / 8)).map { $0.key }
        for id in oldest { entries[id] = nil }
    }
}
