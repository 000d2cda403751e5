import Logging

/// How a worker writes the end of a claim while the database may be away (a
/// restart): it tries again with growing pauses, logs every failure, and gives
/// up after `limit`. By then the lease has run out, the task is rescued and
/// runs again, so giving up loses nothing but this attempt's result.
struct FinishRetry {
    var limit: Duration
    let logger: Logger

    init(lease: Duration, logger: Logger) {
        limit = max(lease * 2, .seconds(5))
        self.logger = logger
    }

    /// True when `write` succeeded.
    @discardableResult
    func run(_ what: String, metadata: Logger.Metadata, _ write: () async throws -> Void) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        var attempt = 0
        while true {
            attempt += 1
            do {
                try await write()
                return true
            } catch {
                var details = metadata
                details["error"] = "\(error)"
                details["attempt"] = "\(attempt)"
                let pause = Duration.milliseconds(min(250 * attempt, 3000))
                guard clock.now + pause < deadline else {
                    logger.error(
                        "giving up on \(what) after \(attempt) attempts in \(limit); the lease runs out and the work is rescued",
                        metadata: details)
                    return false
                }
                logger.warning("cannot write \(what) yet; trying again", metadata: details)
                try? await Task.sleep(for: pause)
            }
        }
    }
}
