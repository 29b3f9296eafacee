import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// What a worker does with one kind of job. Throwing fails the attempt (retried per the policy);
/// the returned text is stored as the job's result.
public struct JobHandler: Sendable {
    public var kind: String
    public var policy: RetryPolicy
    public var run: @Sendable (Job) async throws -> String?

    public init(kind: String, policy: RetryPolicy = .init(), run: @escaping @Sendable (Job) async throws -> String?) {
        self.kind = kind
        self.policy = policy
        self.run = run
    }
}
