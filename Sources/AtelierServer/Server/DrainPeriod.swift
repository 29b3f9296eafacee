import Logging
import ServiceLifecycle
import UnixSignals

/// The first part of a SIGTERM shutdown: the node turns unready and keeps serving for `period`, then this service
/// returns and the group shuts down as on SIGINT (stop accepting, finish requests and jobs, close the database).
///
/// The service group is set to shut down when this service returns; SIGINT shuts the group down at once and skips
/// the drain (a person at a terminal).
public struct DrainPeriod: Service {
    let readiness: Readiness
    let period: Duration
    let logger: Logger

    public init(readiness: Readiness, period: Duration, logger: Logger) {
        self.readiness = readiness
        self.period = period
        self.logger = logger
    }

    public func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sigterm)
        let terminated = await cancelWhenGracefulShutdown {
            for await _ in signals { return true }
            return false
        }
        guard terminated else { return }
        readiness.startDraining()
        logger.notice("SIGTERM: draining; /health/ready answers 503 until the node stops accepting connections",
                      metadata: ["drain_seconds": .stringConvertible(period.components.seconds)])
        // Requests are still served meanwhile; a second signal or a cancellation cuts the wait short.
        try? await Task.sleep(for: period)
        readiness.startStopping()
    }
}
