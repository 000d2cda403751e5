import Logging
import Synchronization
import Testing

@testable import Worker

/// Writing the end of a claim while the database is away: every failure is
/// logged, and it gives up after a bounded time with a line that says so.
@Suite struct FinishRetryTests {
    struct Away: Error {}

    @Test func itLogsEachFailureAndGivesUpInBoundedTime() async {
        let lines = Lines()
        let logger = Logger(label: "test") { _ in Capture(lines: lines) }
        var retry = FinishRetry(lease: .seconds(1), logger: logger)
        retry.limit = .seconds(2)
        let attempts = Mutex(0)
        let started = ContinuousClock.now
        let written = await retry.run("the end of job 7", metadata: ["job_id": "7"]) {
            attempts.withLock { $0 += 1 }
            throw Away()
        }
        let elapsed = ContinuousClock.now - started
        #expect(!written)
        #expect(elapsed < .seconds(4), "gave up after \(elapsed)")
        let logged = lines.lines.withLock { $0 }
        let count = attempts.withLock { $0 }
        // Four on an idle machine (pauses of 0.25, 0.5 and 0.75 s in a 2 s limit); sleeps that overrun on a busy one leave fewer.
        #expect(count >= 2, "it tried again")
        #expect(logged.filter { $0.0 == .warning }.count == count - 1, "every failure but the last is a warning")
        #expect(
            logged.last?.0 == .error && logged.last?.1.contains("giving up on the end of job 7") == true, "\(logged)")
    }

    @Test func aWriteThatSucceedsAfterFailuresIsDone() async {
        let attempts = Mutex(0)
        let written = await FinishRetry(lease: .seconds(1), logger: Logger(label: "test")).run("x", metadata: [:]) {
            let attempt = attempts.withLock { value in
                value += 1
                return value
            }
            if attempt < 3 { throw Away() }
        }
        #expect(written && attempts.withLock { $0 } == 3)
    }
}
