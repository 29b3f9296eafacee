import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Set once when shutdown begins; read by the loop between jobs.
package final class StopFlag: Sendable {
    private let value = Mutex(false)
    package init() {}
    package var isSet: Bool { value.withLock { $0 } }
    package func set() { value.withLock { $0 = true } }
}
