import Atelier
import Foundation
import Synchronization

/// A clock tests move forward, to let retries and leases come due.
public final class MovableClock: Sendable {
    private let time: Mutex<Date>

    public init(_ start: Date = Date()) { time = Mutex(start) }

    public var now: Date { time.withLock { $0 } }

    public var wall: WallClock { WallClock { self.now } }

    public func advance(by seconds: TimeInterval) { time.withLock { $0 += seconds } }
}
