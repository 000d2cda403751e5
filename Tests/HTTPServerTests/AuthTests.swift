import Hummingbird
import HummingbirdTesting
import Testing

@testable import HTTPServer

@Suite(.timeLimit(.minutes(3))) struct AuthTests {
    static let token = "s3cret-token-value"

    @Test(arguments: Backend.allCases) func bearerToken(_ backend: Backend) async throws {
        try await TestAPI.with(backend, configure: { $0.apiToken = Self.token }) { client, api in
            let refused: [HTTPFields] = [
                [:], [.authorization: "Bearer wrong-token-value"], [.authorization: "Bearer s3cret"],
                [.authorization: "Bearer \(Self.token)x"], [.authorization: "Basic \(Self.token)"],
                [.authorization: Self.token],
            ]
            for headers in refused {
                for (method, path) in [
                    (HTTPRequest.Method.get, "/api/jobs"), (.post, "/api/jobs/prepare"),
                    (.get, "/api/config/defaults"), (.get, "/api/jobs/1/download"),
                ] {
                    let response = try await client.json(method, path, headers: headers)
                    #expect(response.status == .unauthorized, "\(method) \(path) with \(headers)")
                    #expect(response.headers[.wwwAuthenticate] == "Bearer")
                    #expect(try object(response)["error"] != nil)
                }
            }
            #expect(try await api.storage.listJobs(.init()).jobs.isEmpty, "a refused prepare made no job")
            let allowed: HTTPFields = [.authorization: "Bearer \(Self.token)"]
            #expect(try await client.json(.get, "/api/jobs", headers: allowed).status == .ok)
            #expect(
                try await client.json(.get, "/api/jobs", headers: [.authorization: "bearer \(Self.token)"]).status
                    == .ok)
            _ = try await client.prepare(headers: allowed)
            #expect(try await client.json(.get, "/healthz").status == .ok, "health needs no token")
            #expect(try await client.json(.get, "/metrics").status == .ok, "metrics need no token")
        }
    }
}

@Suite struct SameOriginTests {
    @Test(arguments: [
        ("http://127.0.0.1:5000", "127.0.0.1:5000", true),
        ("https://yt.example", "yt.example:443", true),
        ("http://yt.example:80", "yt.example", true),
        ("https://yt.example", "yt.example:80", false),
        ("http://evil.example", "127.0.0.1:5000", false),
        ("null", "127.0.0.1:5000", false),
        ("http://127.0.0.1:5001", "127.0.0.1:5000", false),
    ])
    func origins(origin: String, host: String, same: Bool) {
        #expect(
            BrowserGuardMiddleware<BasicRequestContext>.sameOrigin(origin, host: host) == same, "\(origin) vs \(host)")
    }
}

/// DNS rebinding: only names no DNS answer can redirect count as this machine.
@Suite struct LoopbackNameTests {
    @Test(arguments: [
        "localhost", "LOCALHOST", "localhost.", "app.localhost", "App.Localhost.", "127.0.0.1", "127.0.0.1.",
        "127.1", "0x7f.1", "0x7F.0.0.1", "2130706433", "0177.0.0.1", "127.255.255.254", "::1", "[::1]",
        "0:0:0:0:0:0:0:1",
    ])
    func loopback(_ name: String) {
        #expect(ServerSettings.isLoopback(name), "\(name)")
    }

    @Test(arguments: [
        "127.0.0.1.rebind.evil.example", "127.0.0.1.nip.io", "127.0.0.1.rebind.evil.example.", "127.evil.example",
        "127.0.0.1x",
        "128.0.0.1", "2147483648", "0x80.1", "127.0.0.256.1", "127.16777216", "localhost.evil.example",
        "evil-localhost",
        "::2", "::ffff:7f00:1", "", ".", "127..0.1", "1.127.0.0.1",
    ])
    func notLoopback(_ name: String) {
        #expect(!ServerSettings.isLoopback(name), "\(name)")
    }
}
