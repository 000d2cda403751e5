import Foundation
import Testing

/// Hosts with different secret keys cannot read each other's sealed YouTube
/// credentials: the database records the first key's fingerprint, and a host
/// with another key refuses to start, naming YT_BUILDER_SECRET_KEY.
@Suite(.timeLimit(.minutes(3))) struct SecretKeyAgreementTests {
    @Test func aHostWithAnotherKeyRefusesToStart() async throws {
        let runner = CommandRunner()
        let database = runner.path("shared.db")
        func worker(_ dataDir: String, environment: [String: String] = [:]) throws -> RunningCommand {
            try RunningCommand(
                runner, ["worker", "--database", database, "--data-dir", runner.path(dataDir), "--runner", "sleep:0"],
                environment: environment)
        }
        let first = try worker("host-a")
        defer { first.kill() }
        try await waitFor("the first worker", seconds: 30) { first.output.contains("workers started") }
        #expect(try await first.stop() == 0)

        let other = try await runner.run(["worker", "--database", database, "--data-dir", runner.path("host-b")])
        #expect(other.status != 0)
        #expect(
            other.stderr.contains("secret key") && other.stderr.contains("YT_BUILDER_SECRET_KEY"), "\(other.stderr)")
        #expect(!other.stderr.contains("workers started"))

        let key = try String(contentsOfFile: runner.path("host-a/secret.key"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!other.stderr.contains(key), "the key is never printed")
        let shared = try worker("host-b", environment: ["YT_BUILDER_SECRET_KEY": key])
        defer { shared.kill() }
        try await waitFor("the worker given the shared key", seconds: 30) {
            guard shared.process.isRunning else { throw CommandFailure(output: shared.output) }
            return shared.output.contains("workers started")
        }
        #expect(try await shared.stop() == 0)

        let listed = try await runner.run(["db", "deployment", "--database", database])
        #expect(listed.stdout.contains("files      (not recorded)"), "\(listed.stdout)")
        #expect(!listed.stdout.contains(key))
        let forgot = try await runner.run(["db", "deployment", "--database", database, "--forget", "secret-key"])
        #expect(forgot.status == 0, "\(forgot.stderr)")
        let after = try worker("host-b")
        defer { after.kill() }
        try await waitFor("a worker with its own key once the record is forgotten", seconds: 30) {
            guard after.process.isRunning else { throw CommandFailure(output: after.output) }
            return after.output.contains("workers started")
        }
        #expect(try await after.stop() == 0)
    }
}
