import Foundation
import TestPostgres
import Testing

/// schemathesis (PyPI) generates requests from /openapi.json against a real
/// `serve` process: no answer may be a server error.
@Suite(.timeLimit(.minutes(5))) struct SchemathesisTests {
    @Test func noServerErrorForAnyGeneratedRequest() async throws {
        let runner = CommandRunner()
        let port = try TestPostgres.freePort()
        let server = try RunningCommand(
            runner,
            [
                "serve", "--port", String(port), "--database", runner.path("st.db"), "--data-dir", runner.path("data"),
                "--workers", "0", "--import-wait-seconds", "1",
            ])
        defer { server.kill() }
        let base = "http://127.0.0.1:\(port)"
        try await waitUntilHealthy(server, at: base)
        try curl(["-sf", "-X", "POST", base + "/api/jobs/prepare"])
        do {
            let output = try runTool(
                "/usr/bin/env",
                [
                    "schemathesis", "run", base + "/openapi.json", "--checks", "not_a_server_error", "--max-examples",
                    "25",
                    "--seed", "20261125", "--no-color",
                ])
            #expect(output.contains("passed"), "\(output.suffix(3000))")
        } catch {
            Issue.record("schemathesis found server errors: \(error)\nserver: \(server.output.suffix(2000))")
        }
        #expect(try await server.stop() == 0)
    }
}
