import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Synchronization

/// Lets a checkout's payment be looked up at its provider on a shopper's behalf at most once per `interval`, and
/// never twice at once, so a storefront polling `GET /checkout` does not hammer the provider.
///
/// Per process, in memory, for at most `capacity` checkouts: when it is full of recent lookups, further ones are
/// simply not made (the checkout is answered as it is, and the periodic reconciliation still asks).
public final class PaymentLookupThrottle: Sendable {
    public let interval: Duration
    public let capacity: Int

    private enum Entry: Sendable {
        case running
        case finished(ContinuousClock.Instant)
    }

    private let entries = Mutex<[String: Entry]>([:])

    public init(interval: Duration = .seconds(5), capacity: Int = 10_000) {
        self.interval = interval
        self.capacity = max(1, capacity)
    }

    /// Whether the provider may be asked about `checkoutId` now. When it answers true, the caller calls `finish`
    /// once the lookup is over, whatever its result.
    public func begin(_ checkoutId: String) -> Bool {
        let now = ContinuousClock.now
        let (interval, capacity) = (self.interval, self.capacity)
        return entries.withLock { entries -> Bool in
            switch entries[checkoutId] {
            case .running:
                return false
            case .finished(let at) where now - at < interval:
                return false
            default:
                break
            }
            if entries[checkoutId] == nil, entries.count >= capacity {
                entries = entries.filter { _, entry in
                    if case .finished(let at) = entry { return now - at < interval }
                    return true
                }
                guard entries.count < capacity else { return false }
            }
            entries[checkoutId] = .running
            return true
        }
    }

    /// The lookup `begin` allowed is over: the next one waits `interval` from now.
    public func finish(_ checkoutId: String) {
        let now = ContinuousClock.now
        entries.withLock { $0[checkoutId] = .finished(now) }
    }
}
