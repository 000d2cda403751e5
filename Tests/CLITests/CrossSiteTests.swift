import Foundation
import Testing

/// A page of another site, in the browser of someone on this machine, must not
/// be able to change anything; nor may a DNS-rebound name reach the server.
@Suite(.timeLimit(.minutes(3))) struct CrossSiteTests {
    func status(_ arguments: [String]) throws -> String {
        try curl(["-s", "-o", "/dev/null", "-w", "%{http_code}"] + arguments)
    }

    @Test func requestsFromOtherSitesAndUnknownHostsAreRefused() async throws {
        let runner = CommandRunner()
        let server = try await ServerProcess.start(runner, arguments: ["--allowed-host", "yt.example"])
        defer { server.kill() }
        let own = "http://127.0.0.1:\(server.port)"
        let prepare = server.url("/api/jobs/prepare")
        #expect(try status(["-X", "POST", "-H", "Origin: http://evil.example", prepare]) == "403")
        #expect(try status(["-X", "POST", "-H", "Origin: null", prepare]) == "403")
        #expect(try status(["-X", "POST", "-H", "Sec-Fetch-Site: cross-site", prepare]) == "403")
        #expect(
            try status([
                "-X", "POST", "-H", "Origin: \(own.replacingOccurrences(of: "127.0.0.1", with: "localhost"))", prepare,
            ])
                == "403", "another origin, even on this machine")
        #expect(try sqlite3(runner.path("serve.db"), "SELECT COUNT(*) FROM jobs") == "0\n", "nothing was created")

        #expect(try status(["-X", "POST", "-H", "Origin: \(own)", prepare]) == "200", "the page's own requests")
        #expect(try status(["-X", "POST", prepare]) == "200", "clients that are not browsers")
        #expect(
            try status(["-X", "POST", "-H", "Origin: http://evil.example", server.url("/api/jobs/1/cancel")]) == "403")
        #expect(try sqlite3(runner.path("serve.db"), "SELECT status FROM jobs WHERE job_id = 1") == "preparing\n")

        // DNS rebinding: a name that resolves to 127.0.0.1 but is not this server's.
        #expect(try status(["-H", "Host: attacker.example", server.url("/api/jobs")]) == "421")
        #expect(try status(["-H", "Host: attacker.example:\(server.port)", server.url("/")]) == "421")
        #expect(try status(["-H", "Host: yt.example", server.url("/api/jobs")]) == "200", "a name allowed by flag")
        #expect(try status(["-H", "Host: localhost:\(server.port)", server.url("/api/jobs")]) == "200")
        // Names that start like an address but are DNS names an attacker answers.
        for name in ["127.0.0.1.rebind.evil.example", "127.0.0.1.nip.io", "127.0.0.1.NIP.IO.", "127.evil.example"] {
            let host = "\(name):\(server.port)"
            #expect(try status(["-H", "Host: \(host)", server.url("/api/jobs")]) == "421", "\(name)")
            #expect(
                try status(["-X", "POST", "-H", "Host: \(host)", "-H", "Origin: http://\(host)", prepare]) == "421",
                "\(name)")
            #expect(try status(["-H", "Host: \(host)", server.url("/api/jobs/1/download")]) == "421", "\(name)")
        }
        for address in ["127.1", "0x7f.1", "2130706433", "LOCALHOST", "localhost.", "127.0.0.1.", "[::1]"] {
            #expect(
                try status(["-H", "Host: \(address):\(server.port)", server.url("/api/jobs")]) == "200", "\(address)")
        }
        #expect(try sqlite3(runner.path("serve.db"), "SELECT COUNT(*) FROM jobs") == "2\n", "no rebound prepare")
        #expect(try await server.stop() == 0)
    }
}
