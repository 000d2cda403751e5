import Foundation
import Testing

/// Another process holds SQLite's write lock for seconds (a backup, a hand
/// edit in the sqlite3 shell): requests that write wait for it, off the
/// cooperative threads, while the health check and the page answer at once.
@Suite(.timeLimit(.minutes(3))) struct SQLiteLockTests {
    @Test func aWriteWaitingForAnotherProcessStallsNothingElse() async throws {
        let runner = CommandRunner()
        let server = try await ServerProcess.start(runner)
        defer { server.kill() }
        let database = runner.path("serve.db")

        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        holder.arguments = [
            "-c",
            """
            import sqlite3, sys, time
            c = sqlite3.connect(sys.argv[1], isolation_level=None)
            c.execute("BEGIN IMMEDIATE")
            print("locked", flush=True)
            time.sleep(6)
            c.execute("COMMIT")
            """, database,
        ]
        let said = Pipe()
        holder.standardOutput = said
        try holder.run()
        defer { if holder.isRunning { holder.terminate() } }
        _ = said.fileHandleForReading.availableData  // "locked"

        // More waiting writers than this machine has cooperative threads.
        let writers = (0..<ProcessInfo.processInfo.activeProcessorCount + 2).map { _ in
            let writer = Process()
            writer.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
            writer.arguments = [
                "-s", "-o", "/dev/null", "-w", "%{http_code}", "-m", "30", "-X", "POST",
                server.url("/api/jobs/prepare"),
            ]
            let out = Pipe()
            writer.standardOutput = out
            try? writer.run()
            return (writer, out)
        }
        try await Task.sleep(for: .milliseconds(500))
        for path in ["/healthz", "/", "/api/jobs"] {
            let code =
                (try? curl(["-s", "-o", "/dev/null", "-w", "%{http_code}", "-m", "2", server.url(path)])) ?? "no answer"
            #expect(code == "200", "\(path) answered within 2 s while writes waited for the lock")
        }
        #expect(holder.isRunning, "the lock was still held while they answered")
        for (writer, out) in writers {
            writer.waitUntilExit()
            let code = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(code == "200", "each waiting write went through once the lock was free: \(code)")
        }
        holder.waitUntilExit()
    }
}
