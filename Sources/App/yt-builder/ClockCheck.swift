import Logging
import PostgresStorage
import StorageCore

/// Leases go by the database server's clock; a host whose own clock is off by
/// more than a second is told so at start (its NTP is worth a look).
enum ClockCheck {
    static let tolerance: Duration = .seconds(1)

    static func warnIfSkewed(_ storage: any Storage, logger: Logger) {
        guard let postgres = storage as? PostgresStorage else { return }
        let offset = postgres.clockOffset
        guard offset > tolerance || offset < .zero - tolerance else { return }
        let seconds = offset / .seconds(1)
        logger.warning(
            "this host's clock is off from the database server's; leases go by the server's clock, but check this host's time (NTP)",
            metadata: ["host_clock_ahead_seconds": "\((-seconds * 1000).rounded() / 1000)"])
    }
}
