import Logging
import NIOCore
import SQLKit
import SQLiteKit
import SQLiteNIO
import ServiceLifecycle

/// A first-come, first-served lock for async callers.
actor WriterGate {
    private var held = false
    private var waiters: [CheckedContinuation<Void, any Error>] = []

    func acquire() async throws {
        guard held else {
            held = true
            return
        }
        try await withCheckedThrowingContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty { held = false } else { waiters.removeFirst().resume() }
    }
}
