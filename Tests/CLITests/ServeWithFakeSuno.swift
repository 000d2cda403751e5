import FakeSuno
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

extension ServerProcess {
    /// A fake Suno on a loopback port whose playlist `playlist` lists
    /// `clips`, each song the file at `song`; and `serve` with one worker
    /// pointed at it, killed when `body` ends.
    static func withFakeSuno(
        _ runner: CommandRunner, playlist: String, clips: [(id: String, title: String)], song: String,
        _ body: @Sendable (ServerProcess) async throws -> Void
    ) async throws {
        let fake = FakeSuno()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: song))
        fake.state.withLock {
            $0.playlists[playlist] = [clips.map { FakeSuno.Clip(id: $0.id, title: $0.title, audio: "/audio/s.mp3") }]
            $0.songs["s.mp3"] = bytes
        }
        let fakeApp = Application(router: fake.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await fakeApp.test(.live) { fakeClient in
            let fakePort = try #require(fakeClient.port)
            fake.base.withLock { $0 = "http://127.0.0.1:\(fakePort)" }
            let server = try await ServerProcess.start(
                runner, environment: ["YT_BUILDER_SUNO_API_URL": "http://127.0.0.1:\(fakePort)"],
                arguments: ["--workers", "1"])
            defer { server.kill() }
            try await body(server)
        }
    }
}
