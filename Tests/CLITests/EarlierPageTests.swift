import FakeSuno
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The earlier service's own page, unchanged, in front of a real `serve`
/// (Tests/Browser/earlier_page_test.py): its Suno button shows "Downloaded N
/// song(s)" against a fake Suno, and "use existing files" makes a video.
@Suite(.timeLimit(.minutes(6))) struct EarlierPageTests {
    @Test func theEarlierPageImportsAPlaylistAndUsesExistingFiles() async throws {
        let runner = CommandRunner()
        try SampleJob.writeMedia(runner.path)
        for folder in ["data/videos", "data/music"] {
            try FileManager.default.createDirectory(atPath: runner.path(folder), withIntermediateDirectories: true)
        }
        try FileManager.default.copyItem(atPath: runner.path("clip.mp4"), toPath: runner.path("data/videos/shared.mp4"))
        try FileManager.default.copyItem(atPath: runner.path("song.mp3"), toPath: runner.path("data/music/shared.mp3"))

        let fake = FakeSuno()
        let song = try Data(contentsOf: URL(fileURLWithPath: runner.path("song.mp3")))
        fake.state.withLock {
            $0.playlists["earlier-page"] = [
                [
                    FakeSuno.Clip(id: "aa11bb22cc", title: "First", audio: "/audio/s.mp3"),
                    FakeSuno.Clip(id: "dd33ee44ff", title: "Second", audio: "/audio/s.mp3"),
                ]
            ]
            $0.songs["s.mp3"] = song
        }
        let fakeApp = Application(router: fake.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await fakeApp.test(.live) { fakeClient in
            let fakePort = try #require(fakeClient.port)
            fake.base.withLock { $0 = "http://127.0.0.1:\(fakePort)" }
            let server = try await ServerProcess.start(
                runner, environment: ["YT_BUILDER_SUNO_API_URL": "http://127.0.0.1:\(fakePort)"],
                arguments: ["--workers", "1"])
            defer { server.kill() }
            let screenshots = ProcessInfo.processInfo.environment["BROWSER_SCREENSHOTS"] ?? runner.path("screenshots")
            do {
                let output = try runTool(
                    "/usr/bin/env",
                    [
                        "python3",
                        BrowserPageTests.root.appendingPathComponent("Tests/Browser/earlier_page_test.py").path,
                        "--url", server.url(""), "--media", runner.folder.path, "--playlist",
                        "https://suno.com/playlist/earlier-page", "--songs", "2", "--screenshots", screenshots,
                    ])
                #expect(output.contains("earlier page test passed"), "\(output)")
            } catch {
                let log = String(server.command.output.suffix(3000))
                Issue.record("the earlier page test failed; screenshots in \(screenshots): \(error)\nserver: \(log)")
            }
            #expect(try await server.stop() == 0)
        }
    }
}
