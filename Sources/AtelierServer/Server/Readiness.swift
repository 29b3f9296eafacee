import Synchronization

/// Whether this node should get new traffic. It turns to draining once, on SIGTERM, and `/health/ready`
/// answers 503 from then on, while requests are still served, so that balancers take the node out first.
public final class Readiness: Sendable {
    private let draining = Atomic(false)

    public init() {}

    public var isDraining: Bool { draining.load(ordering: .relaxed) }

    func startDraining() { draining.store(true, ordering: .relaxed) }
}
