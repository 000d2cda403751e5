import AsyncHTTPClient
import ChildProcess
import Foundation
import TestPostgres

/// A real S3-protocol server for tests: moto's standalone server (PyPI
/// `moto[server]`), started on a free port of 127.0.0.1 and stopped (killed)
/// by `stop()` or with this process. Its objects live in its memory only.
public final class TestObjectStore: Sendable {
    public let port: Int
    public var endpoint: String { "http://127.0.0.1:\(port)" }
    private let server: Task<ChildProcess.Result, any Error>

    /// The variables a store of `bucket` needs, as an operator would set them.
    public func environment(bucket: String) -> [String: String] {
        [
            "AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": "us-east-1",
        ]
    }

    private init(port: Int, server: Task<ChildProcess.Result, any Error>) {
        self.port = port
        self.server = server
    }

    /// Starts one and waits until it answers (moto takes a few seconds to import).
    /// Fails, never skips, when moto is not installed.
    public static func start(port: Int? = nil) async throws -> TestObjectStore {
        let port = try port ?? TestPostgres.freePort()
        guard ChildProcess.find("moto_server") != nil else {
            throw TestObjectStoreError("moto_server is not installed: run scripts/setup (pip moto[server])")
        }
        let server = Task { try await ChildProcess("moto_server", ["-H", "127.0.0.1", "-p", String(port)]).run() }
        let store = TestObjectStore(port: port, server: server)
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            var request = HTTPClientRequest(url: "\(store.endpoint)/moto-api/")
            request.method = .GET
            if let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(2)),
                response.status == .ok
            {
                return store
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        server.cancel()
        throw TestObjectStoreError("moto_server did not answer on port \(port) within 60 s")
    }

    /// Kills the server and waits until it is gone.
    public func stop() async {
        server.cancel()
        _ = try? await server.value
    }
}

public struct TestObjectStoreError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
