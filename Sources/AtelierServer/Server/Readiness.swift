import Synchronization

/// Whether this node should get new traffic. On SIGTERM it turns to draining, and `/health/ready` answers 503
/// from then on while requests are still served, so that balancers take the node out first. When the drain
/// period is over it turns to stopping: the server closes its listening socket, and answers tell HTTP/1.1 clients
/// to close their connections (`Connection: close`) so that a balancer's kept connections are not reused as they
/// close.
public final class Readiness: Sendable {
    private let draining = Atomic(false)
    private let stopping = Atomic(false)

    public init() {}

    public var isDraining: Bool { draining.load(ordering: .relaxed) }
    public var isStopping: Bool { stopping.load(ordering: .relaxed) }

    func startDraining() { draining.store(true, ordering: .relaxed) }
    func startStopping() { stopping.store(true, ordering: .relaxed) }
}
