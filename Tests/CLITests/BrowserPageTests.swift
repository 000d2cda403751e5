import Foundation
import TestPostgres
import Testing

/// The web page in headless Chromium against a real `serve` with a worker and
/// ffmpeg (Tests/Browser/page_test.py, selenium, axe-core): every screen,
/// every action. Screenshots of every step are kept in the folder printed on
/// failure (and in BROWSER_SCREENSHOTS when set: docs/images/page/ holds a run's).
@Suite(.timeLimit(.minutes(5))) struct BrowserPageTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func makeAVideoInTheBrowser() async throws {
        let runner = CommandRunner()
        let media = runner.path("media")
        try FileManager.default.createDirectory(atPath: media, withIntermediateDirectories: true)
        for (name, source) in [
            ("clip.mp4", "testsrc=size=160x120:rate=25"), ("other.mov", "testsrc2=size=120x160:rate=30"),
        ] {
            try runTool(
                "/usr/bin/ffmpeg",
                [
                    "-loglevel", "error", "-y", "-f", "lavfi", "-i", source, "-t", "1.5", "-pix_fmt", "yuv420p",
                    media + "/" + name,
                ])
        }
        // A song long enough to count as music, a bell short enough to be a sound effect.
        for (name, source, seconds) in [
            ("song.mp3", "sine=frequency=330", "31"), ("bell.wav", "sine=frequency=880", "1"),
        ] {
            try runTool(
                "/usr/bin/ffmpeg",
                ["-loglevel", "error", "-y", "-f", "lavfi", "-i", source, "-t", seconds, media + "/" + name])
        }
        try #""Nothing is lost." "Keep going.""#.write(toFile: media + "/quote.txt", atomically: true, encoding: .utf8)
        // A file the server refuses, and a "clip" ffmpeg cannot read (its job fails).
        try "%PDF-1.4".write(toFile: media + "/notes.pdf", atomically: true, encoding: .utf8)
        try "not a video".write(toFile: media + "/broken.mp4", atomically: true, encoding: .utf8)

        // A font of the data directory's fonts/, which the page previews through GET /fonts/{name}.
        try FileManager.default.createDirectory(atPath: runner.path("data/fonts"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", toPath: runner.path("data/fonts/Preview.ttf"))

        let port = try TestPostgres.freePort()
        let server = try RunningCommand(
            runner,
            [
                "serve", "--port", String(port), "--database", runner.path("page.db"), "--data-dir",
                runner.path("data"),
                "--workers", "1",
            ])
        defer { server.kill() }
        let base = "http://127.0.0.1:\(port)"
        try await waitUntilHealthy(server, at: base)

        let screenshots = ProcessInfo.processInfo.environment["BROWSER_SCREENSHOTS"] ?? runner.path("screenshots")
        do {
            let output = try runTool(
                "/usr/bin/env",
                [
                    "python3", Self.root.appendingPathComponent("Tests/Browser/page_test.py").path, "--url", base,
                    "--media", media,
                    "--screenshots", screenshots,
                ])
            #expect(output.contains("browser test passed"), "\(output)")
        } catch {
            Issue.record(
                "the browser test failed; screenshots in \(screenshots): \(error)\nserver: \(server.output.suffix(2000))"
            )
        }
        #expect(try await server.stop() == 0)
    }
}
