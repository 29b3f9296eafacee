import Atelier
import Foundation
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore

/// Bytes each client address may upload per hour, on this node: an allowance of `bytesPerHour` that
/// refills evenly over the hour (the rate limiter's algorithm, counting bytes instead of requests). Every
/// byte received is charged, whether or not the upload turns out to be an image, so a client cannot fill
/// the disk or keep the decoders busy faster than the quota. Keys are client addresses (bounded by the
/// rate limiter's normalization); entries whose allowance is full again are swept.
final class UploadQuota: Sendable {
    private struct State {
        var full: [String: Double] = [:]
        var sweepAt = 1024
    }

    let bytesPerHour: Int
    private let state = NIOLockedValueBox(State())
    private let now: @Sendable () -> Double

    init(bytesPerHour: Int, now: @escaping @Sendable () -> Double = { ProcessInfo.processInfo.systemUptime }) {
        self.bytesPerHour = bytesPerHour
        self.now = now
    }

    static let window: Double = 3600

    /// Charges `bytes` to the client, or throws 429 (charging nothing) when that would exceed its allowance.
    func charge(_ client: String, bytes: Int) throws {
        let perByte = Self.window / Double(bytesPerHour)
        let t = now()
        let refusal: Int? = state.withLockedValue { state in
            let full = max(state.full[client] ?? t, t)
            let next = full + Double(bytes) * perByte
            if next - t > Self.window + 1e-9 { return max(1, Int((next - t - Self.window).rounded(.up))) }
            state.full[client] = next
            if state.full.count > state.sweepAt {
                state.full = state.full.filter { $0.value > t }
                state.sweepAt = max(1024, state.full.count * 2)
            }
            return nil
        }
        if let retryAfter = refusal {
            throw AtelierError(.tooManyRequests, code: .uploadQuotaExceeded, title: "Upload quota used up",
                               detail: "This client may upload \(bytesPerHour) bytes per hour; retry after \(retryAfter) s.",
                               members: ["retryAfter": String(retryAfter)])
        }
    }

    /// The body, charged chunk by chunk as it arrives (a declared length is charged up front, so an
    /// upload the quota cannot take is refused before it is read).
    func meter(_ body: RequestBody, client: String, declaredLength: Int?) throws -> RequestBody {
        var prepaid = 0
        if let declaredLength, declaredLength > 0 {
            try charge(client, bytes: declaredLength)
            prepaid = declaredLength
        }
        return RequestBody(asyncSequence: MeteredBody(base: body, quota: self, client: client, prepaid: prepaid))
    }

    struct MeteredBody: AsyncSequence, Sendable {
        typealias Element = ByteBuffer
        let base: RequestBody
        let quota: UploadQuota
        let client: String
        let prepaid: Int

        struct AsyncIterator: AsyncIteratorProtocol {
            var base: RequestBody.AsyncIterator
            let quota: UploadQuota
            let client: String
            var prepaid: Int

            mutating func next() async throws -> ByteBuffer? {
                guard let chunk = try await base.next() else { return nil }
                let covered = Swift.min(prepaid, chunk.readableBytes)
                prepaid -= covered
                if chunk.readableBytes > covered { try quota.charge(client, bytes: chunk.readableBytes - covered) }
                return chunk
            }
        }

        func makeAsyncIterator() -> AsyncIterator {
            AsyncIterator(base: base.makeAsyncIterator(), quota: quota, client: client, prepaid: prepaid)
        }
    }
}
