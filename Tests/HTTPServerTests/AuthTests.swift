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
