import ArgumentParser
import Foundation
import Render
import StorageCore
import VideoSettings

extension BenchCommand {
    struct RenderBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "render",
            abstract: "Render a video from three clips with music, sounds and quotes, and time it.",
            discussion: "The media are ffmpeg test patterns and tones, made first (not timed).")

        @Option(help: "Seconds of video.") var duration = 60.0
        @Option(help: "WIDTHxHEIGHT.") var resolution = "1280x720"
        @Option(help: "Frames per second.") var fps = 30
        @Option(help: "none, fade or crossfade.") var transition = "crossfade"
        @Option(help: "Keep the video here instead of deleting it.") var keep: String?
        @Flag(help: "Print JSON.") var json = false

        struct Result: Encodable {
            var duration: Double
            var resolution: String
            var fps: Int
            var transition: String
            var seconds: Double
            var speed: Double
        }

        func run() async throws {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                "yt-builder-bench-render-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            func path(_ name: String) -> String { folder.appendingPathComponent(name).path }
            Console.error("Making three 10 s clips, music, a sound and three quotes…")
            for (index, pattern) in ["testsrc", "testsrc2", "smptebars"].enumerated() {
                try await SampleMedia.clip(
                    at: path("clip\(index).mp4"), seconds: 10, size: "1280x720", pattern: pattern)
            }
            try await SampleMedia.tone(at: path("music.mp3"), seconds: 30, frequency: 330)
            try await SampleMedia.tone(at: path("sound.wav"), seconds: 2, frequency: 880)
            for index in 0..<3 {
                try "Quote \(index + 1): what we make, we make once and well.".write(
                    toFile: path("quote\(index).txt"), atomically: true, encoding: .utf8)
            }
            let fonts = FontCatalog.load(fontsDirectory: path("fonts"))
            let config = JobConfig([
                "duration": .double(duration), "resolution": .string(resolution), "fps": .int(Int64(fps)),
                "transition": .string(transition), "quote_font": .string(FontCatalog.fallbackFamily), "seed": .int(1),
            ])
            let settings: VideoSettings
            do { settings = try VideoSettings(config: config, fonts: fonts) } catch {
                throw ValidationError(error.description)
            }
            let input = RenderInput(
                videos: (0..<3).map { path("clip\($0).mp4") }, music: [path("music.mp3")], sounds: [path("sound.wav")],
                quotes: (0..<3).map { path("quote\($0).txt") }, settings: settings, fonts: fonts,
                output: keep ?? path("out.mp4"), scratch: path("scratch"))
            Console.error("Rendering \(duration) s at \(resolution), \(fps) fps, \(transition)…")
            let start = ContinuousClock.now
            try await Renderer().render(input, progress: { _, _ in }, log: { _ in })
            let seconds = (ContinuousClock.now - start).inSeconds
            let result = Result(
                duration: duration, resolution: resolution, fps: fps, transition: transition, seconds: seconds,
                speed: duration / seconds)
            if json { return try Console.printJSON(result) }
            print(
                String(
                    format: "%.0f s of %@ at %d fps rendered in %.2f s: %.2fx real time", duration, resolution, fps,
                    seconds, result.speed))
        }
    }
}
