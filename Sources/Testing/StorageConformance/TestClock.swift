import StorageCore
import Synchronization

/// A clock the suite moves by hand, so that ages and orders are exact. Each
/// reading also moves it on by one millisecond, as real time would.
public final class TestClock: Sendable {
    private let current: Mutex<Timestamp>

    /// 2026-03-01T12:00:00.123456Z: microseconds that must survive storage.
    public init(start: Timestamp = Timestamp(microsecondsSinceEpoch: 1_772_366_400_123_456)) {
        current = Mutex(start)
    }

    public func now() -> Timestamp {
        current.withLock { now in
            defer { now = now.adding(seconds: 0.001) }
            return now
        }
    }

    public func peek() -> Timestamp { current.withLock { $0 } }

    public func advance(days: Double) { advance(seconds: days * 86_400) }

    public func advance(seconds: Double) { current.withLock { $0 = $0.adding(seconds: seconds) } }
}
