import Foundation
import PostgresStorage
import StorageCore
import TestPostgres
import Testing

/// A worker host whose clock runs ten minutes ahead (libfaketime, monotonic
/// time left alone) shares a PostgreSQL queue with a live worker: leases go by
/// the database server's clock, so its rescue passes leave the live job alone,
/// and its start-up log names its offset.
@Suite(.timeLimit(.minutes(3))) struct ClockSkewTests {
    @Test func aHostAheadOfTheDatabaseRescuesNoLiveWork() async throws {
        let faketime = try #require(
            ["/usr/bin/faketime", "/usr/local/bin/faketime"].first { FileManager.default.isExecutableFile(atPath: $0) },
            "faketime is not installed: run scripts/setup")
        let runner = CommandRunner()
        let url = try TestPostgres.shared().freshDatabase()
        let storage = try await PostgresStorage.open(url: url)
        let job = try await storage.createJob(
            NewJob(config: nil, runsDirectory: runner.path("data/runs"), status: .queued))
        let live = try #require(try await storage.claimJob(worker: "live/0", lease: .seconds(30)))

        let skewed = try RunningCommand(
            runner,
            [
                "worker", "--database", url, "--data-dir", runner.path("data"), "--runner", "sleep:0",
                "--lease-seconds", "1", "--poll-seconds", "0.2",
            ],
            environment: ["FAKETIME_DONT_FAKE_MONOTONIC": "1"], wrapper: [faketime, "-f", "+600s"])
        defer {
            // faketime runs the worker as its child and does not pass signals on.
            if let child = try? runTool("/usr/bin/pgrep", ["-P", String(skewed.process.processIdentifier)]),
                let pid = Int32(child.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                kill(pid, SIGKILL)
            }
            skewed.kill()
        }
        try await waitFor("the skewed worker to start", seconds: 30) {
            guard skewed.process.isRunning else { throw CommandFailure(output: skewed.output) }
            return skewed.output.contains("workers started")
        }
        // Its rescue runs twice a lease: eight passes.
        try await Task.sleep(for: .seconds(4))
        #expect(try await storage.job(job.jobID)?.status == .running, "\(skewed.output)")
        #expect(try await storage.renewLease(live.claim, lease: .seconds(30)) == .held, "the live worker keeps it")
        #expect(!skewed.output.contains("rescued"), "\(skewed.output)")
        let warning = try #require(
            skewed.output.split(separator: "\n").first { $0.contains("clock is off") }, "\(skewed.output)")
        let ahead = try #require(
            warning.split(separator: " ").first { $0.hasPrefix("host_clock_ahead_seconds=") }?.split(separator: "=")
                .last.flatMap { Double($0) }, "\(warning)")
        #expect(abs(ahead - 600) < 5, "\(warning)")

        // Work the skewed host claims itself is held by the same clock.
        #expect(try await storage.finishJob(live.claim, .completed(outputFile: nil)))
        let second = try await storage.createJob(
            NewJob(config: nil, runsDirectory: runner.path("data/runs"), status: .queued))
        try await waitFor("the skewed worker to finish a job", seconds: 30) {
            try await storage.job(second.jobID)?.status == .completed
        }
        let child = try runTool("/usr/bin/pgrep", ["-P", String(skewed.process.processIdentifier)])
        let pid = try #require(Int32(child.trimmingCharacters(in: .whitespacesAndNewlines)), "\(child)")
        kill(pid, SIGTERM)
        try await waitFor("the skewed worker to stop", seconds: 30) { !skewed.process.isRunning }
        #expect(skewed.process.terminationStatus == 0, "\(skewed.output)")
        await storage.close()
    }
}
