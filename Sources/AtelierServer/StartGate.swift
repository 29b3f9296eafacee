import Synchronization
import ServiceLifecycle

/// Holds services back until something has happened (the schema migrated), so that a job worker on a new
/// database never polls a table that does not exist yet.
final class StartGate: Sendable {
    private let isOpen = Atomic<Bool>(false)

    func open() { isOpen.store(true, ordering: .releasing) }

    /// Waits until the gate opens; false when the task was cancelled or the service group is shutting down first.
    func wait() async -> Bool {
        while !isOpen.load(ordering: .acquiring) {
            guard !Task.isCancelled, !Task.isShuttingDownGracefully else { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    /// A service that starts once the gate is open.
    struct Gated: Service {
        let gate: StartGate
        let service: any Service

        func run() async throws {
            guard await gate.wait() else { return }
            try await service.run()
        }
    }
}
