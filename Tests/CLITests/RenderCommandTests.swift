import Foundation
import Testing

/// `yt-builder render` as the earlier `python yt-builder.py` was used: its
/// folders, its environment, its flags.
@Suite(.timeLimit(.minutes(5))) struct RenderCommandTests {
    /// ./videos, ./music and ./quotes of the current folder, as the earlier CLI read them.
    func earlierFolders() throws -> CommandRunner {
        var runner = CommandRunner()
        for folder in ["videos", "music", "quotes"] {
            try FileManager.default.createDirectory(atPath: runner.path(folder), withIntermediateDirectories: true)
        }
        _ = try runTool(
            "/usr/bin/ffmpeg",
            [
                "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=12", "-t", "1", "-pix_fmt",
                "yuv420p", runner.path("videos/clip.mp4"),
            ])
        _ = try runTool(
            "/usr/bin/ffmpeg",
            ["-loglevel", "error", "-f", "lavfi", "-i", "sine=frequency=330", "-t", "2", runner.path("music/song.mp3")])
        try #""First quote." "Second \"quoted\" one.""#.write(
            toFile: runner.path("quotes/many.txt"), atomically: true, encoding: .utf8)
        try "\"not this\"".write(toFile: runner.path("quotes/example.txt"), atomically: true, encoding: .utf8)
        runner.environment = [
            "YT_BUILDER_DURATION": "2", "YT_BUILDER_RESOLUTION": "160x120", "YT_BUILDER_FPS": "12",
            "YT_BUILDER_QUOTE_FONT": "DejaVu Sans", "YT_BUILDER_QUOTES_DURATION": "0.5",
            "YT_BUILDER_QUOTES_MIN_BETWEEN": "0.2", "YT_BUILDER_QUOTES_MAX_BETWEEN": "0.3",
            "YT_BUILDER_QUOTE_STYLE": "minimal",
        ]
        return runner
    }

    /// A long video from a short clip (15 minutes of a one-second clip) has
    /// its length and sound.
    @Test func aLongVideoFromAShortClip() async throws {
        var runner = try earlierFolders()
        runner.environment["YT_BUILDER_DURATION"] = "900"
        runner.environment["YT_BUILDER_RESOLUTION"] = "64x48"
        runner.environment["YT_BUILDER_QUOTES_MIN_BETWEEN"] = "30"
        runner.environment["YT_BUILDER_QUOTES_MAX_BETWEEN"] = "60"
        let result = try await runner.run("render", "--transition", "none")
        #expect(result.status == 0, "\(result.stderr)")
        let probe = try runTool(
            "/usr/bin/ffprobe",
            [
                "-v", "error", "-show_entries", "format=duration:stream=codec_type", "-of", "csv=p=0",
                runner.path("output.mp4"),
            ])
        let lines = probe.split(separator: "\n").map(String.init)
        #expect(lines.contains("video") && lines.contains("audio"), "\(probe)")
        #expect(lines.contains { abs((Double($0) ?? 0) - 900) < 0.5 }, "\(probe)")
    }

    @Test func theEarlierFoldersAndEnvironmentMakeTheVideo() async throws {
        var runner = try earlierFolders()
        runner.environment["YT_BUILDER_MUSIC_SHUFFLE"] = "yes"
        runner.environment["YT_BUILDER_VERBOSE"] = "on"
        let result = try await runner.run("render")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.stderr.contains("duration 2.0 s, 160x120 at 12 fps"), "verbose prints the plan: \(result.stderr)")
        #expect(result.stderr.contains("many.txt: First quote."), "\(result.stderr)")
        #expect(result.stderr.contains("example.txt skipped"), "\(result.stderr)")
        #expect(result.stdout.hasSuffix("output.mp4\n"), "the earlier default output: \(result.stdout)")
        let probe = try runTool(
            "/usr/bin/ffprobe",
            ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", runner.path("output.mp4")])
        #expect(abs((Double(probe.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) - 2) < 0.5, "\(probe)")
    }

    @Test func flagsWinOverTheEnvironment() async throws {
        let runner = try earlierFolders()
        let result = try await runner.run(
            "render", "--dry-run", "--duration", "1", "--music-shuffle", "--quotes-shuffle", "--verbose", "-o",
            "mine.mp4")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("duration 1.0 s, 160x120"), "\(result.stdout)")
        #expect(result.stdout.contains("mine.mp4"), "\(result.stdout)")
        #expect(!FileManager.default.fileExists(atPath: runner.path("mine.mp4")), "a dry run writes nothing")
    }

    @Test(arguments: [
        ("YT_BUILDER_FPS", "fast"), ("YT_BUILDER_FPS", "500"), ("YT_BUILDER_MUSIC_SHUFFLE", "maybe"),
        ("YT_BUILDER_QUOTE_STYLE", "sideways"), ("YT_BUILDER_DRY_RUN", "sure"),
    ])
    func aBadValueInTheEnvironmentNamesItsVariable(_ variable: String, _ value: String) async throws {
        var runner = try earlierFolders()
        runner.environment[variable] = value
        let result = try await runner.run("render")
        #expect(result.status != 0)
        #expect(result.stderr.contains(variable), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: runner.path("output.mp4")))
    }

    @Test func aFolderNamedByTheEnvironmentMustExist() async throws {
        var runner = try earlierFolders()
        runner.environment["YT_BUILDER_MUSIC_DIR"] = runner.path("nowhere")
        let result = try await runner.run("render", "--dry-run")
        #expect(result.status != 0)
        #expect(result.stderr.contains("nowhere"), "\(result.stderr)")
    }
}
