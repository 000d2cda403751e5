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

        try await ServerProcess.withFakeSuno(
            runner, playlist: "earlier-page",
            clips: [(id: "aa11bb22cc", title: "First"), (id: "dd33ee44ff", title: "Second")],
            song: runner.path("song.mp3")
        ) { server in
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
            let stopped = try await server.stop()
            #expect(stopped == 0)
        }
    }
}
