import Foundation
import StorageCore
import Synchronization

/// Time as the database server keeps it, read without a round trip: this
/// host's clock plus the offset to the server's, measured at open and again
/// once a minute (a clock that is stepped by NTP while we run is followed).
/// Leases are written and compared in this time, so a host whose clock runs
/// ahead cannot see other hosts' live leases as expired (River reads `now()`
/// in its statements; the offset keeps the clock a test injects working the
/// same way: tests move `clock`, the offset is measured against `systemClock`).
final class DatabaseClock: Sendable {
    /// What the store writes as now: `clock` plus the measured offset.
    let clock: @Sendable () -> Timestamp
    let systemClock: @Sendable () -> Timestamp
    private let pool: PostgresPool
    private let state = Mutex<(offset: Int64, measured: ContinuousClock.Instant?, measuring: Bool)>((0, nil, false))
    static let remeasureAfter: Duration = .seconds(60)
    static let agreement: Int64 = 250_000

    init(
        clock: @escaping @Sendable () -> Timestamp, systemClock: @escaping @Sendable () -> Timestamp, pool: PostgresPool
    ) {
        self.clock = clock
        self.systemClock = systemClock
        self.pool = pool
    }

    /// The server's clock minus this host's, in microseconds.
    var offset: Duration { .microseconds(state.withLock { $0.offset }) }

    /// Now on the server's clock; starts a new measurement in the background
    /// when the last one is older than a minute.
    func now() -> Timestamp {
        let (offset, due) = state.withLock { state -> (Int64, Bool) in
            let due =
                !state.measuring && state.measured.map { ContinuousClock.now - $0 > Self.remeasureAfter } == true
            if due { state.measuring = true }
            return (state.offset, due)
        }
        if due { Task { await remeasure() } }
        return Timestamp(microsecondsSinceEpoch: clock().microsecondsSinceEpoch + offset)
    }

    /// Measures the offset over `connection`: the server's clock against the
    /// midpoint of this host's clock around the round trip.
    func measure(on connection: PostgresConnection) throws {
        let before = systemClock().microsecondsSinceEpoch
        let server =
            try connection.query(
                "SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint"
            ) { try $0.int64(0) }.first ?? before
        let after = systemClock().microsecondsSinceEpoch
        let measured = server - (before + after) / 2
        // Within a quarter second the hosts agree as well as one round trip can tell: no correction.
        let offset = abs(measured) < Self.agreement ? 0 : measured
        state.withLock { $0 = (offset, ContinuousClock.now, false) }
    }

    /// A failed measurement keeps the last offset and tries again in a minute.
    private func remeasure() async {
        do {
            try await pool.withSession { try self.measure(on: $0) }
        } catch {
            state.withLock {
                $0.measured = ContinuousClock.now
                $0.measuring = false
            }
        }
    }
}
