import ArgumentParser
import Foundation
import Render
import RunFiles
import StorageCore
import Synchronization
import VideoSettings

struct RenderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Make a video from folders of clips, music, sounds and quotes, without the service.",
        discussion: """
            Config flags are the job config keys in kebab case, with the same defaults and checks as the API. \
            Files are taken from each folder in name order (.mp4 .mov .avi .mkv; .mp3 .wav .m4a .aac .ogg; .txt).
            """)

    @Option(help: "Folder of video clips.") var videos: String
    @Option(help: "Folder of music tracks.") var music: String?
    @Option(help: "Folder of sound effects.") var sounds: String?
    @Option(help: "Folder of quotes, one per .txt file.") var quotes: String?
    @Option(name: [.customShort("o"), .long], help: "The MP4 to write.") var output: String
    @Option(help: "Font files, by name without extension.") var fontsDir = "data/fonts"
    @Flag(help: "Print the plan (clip order, quote times, the ffmpeg command) and render nothing.") var dryRun = false

    @Option(help: "Seconds of video (1–86400; default 600).") var duration: Double?
    @Option(help: "Frames per second (1–120; default 30).") var fps: Int?
    @Option(help: "WIDTHxHEIGHT, even numbers (default 1920x1080).") var resolution: String?
    @Option(help: "none, fade or crossfade (default crossfade).") var transition: String?
    @Option(help: "Seconds each quote shows (default 5).") var quotesDuration: Double?
    @Option(help: "Shortest gap between quotes, seconds (default 10).") var quotesMinBetween: Double?
    @Option(help: "Longest gap between quotes, seconds (default 30).") var quotesMaxBetween: Double?
    @Option(help: "Music volume, 0–2 (default 0.7).") var musicVolume: Double?
    @Option(help: "Sound effects volume, 0–2 (default 0.5).") var soundsVolume: Double?
    @Option(help: "centered, bottom or top (default centered).") var quoteStyle: String?
    @Option(help: "A font file's name in --fonts-dir or a fontconfig family (default TenPounds).") var quoteFont:
        String?
    @Option(help: "Shuffle the music, true or false (default true).") var musicShuffle: Bool?
    @Option(help: "Shuffle the quotes, true or false (default true).") var quotesShuffle: Bool?
    @Option(help: "Seed of every random choice; the same seed renders the same video.") var seed: Int64?

    var config: JobConfig {
        var values: [String: JSONValue] = [:]
        func put(_ key: String, _ value: JSONValue?) { if let value { values[key] = value } }
        put("duration", duration.map { .double($0) })
        put("fps", fps.map { .int(Int64($0)) })
        put("resolution", resolution.map { .string($0) })
        put("transition", transition.map { .string($0) })
        put("quotes_duration", quotesDuration.map { .double($0) })
        put("quotes_min_between", quotesMinBetween.map { .double($0) })
        put("quotes_max_between", quotesMaxBetween.map { .double($0) })
        put("music_volume", musicVolume.map { .double($0) })
        put("sounds_volume", soundsVolume.map { .double($0) })
        put("quote_style", quoteStyle.map { .string($0) })
        put("quote_font", quoteFont.map { .string($0) })
        put("music_shuffle", musicShuffle.map { .bool($0) })
        put("quotes_shuffle", quotesShuffle.map { .bool($0) })
        put("seed", seed.map { .int($0) })
        return JobConfig(values)
    }

    func run() async throws {
        let fonts = FontCatalog.load(fontsDirectory: fontsDir)
        let settings: VideoSettings
        do {
            settings = try VideoSettings(config: VideoSettings.completed(config, fonts: fonts), fonts: fonts)
        } catch {
            throw ValidationError(error.description)
        }
        let input = RenderInput(
            videos: try RenderInput.files(in: videos, accepting: FileType.videos.allowedExtensions),
            music: try RenderInput.files(in: music, accepting: FileType.music.allowedExtensions),
            sounds: try RenderInput.files(in: sounds, accepting: FileType.sounds.allowedExtensions),
            quotes: try RenderInput.files(in: quotes, accepting: FileType.quotes.allowedExtensions),
            settings: settings, fonts: fonts, output: URL(fileURLWithPath: output).standardizedFileURL.path,
            scratch: FileManager.default.temporaryDirectory.appendingPathComponent(
                "yt-builder-render-\(UUID().uuidString)"
            )
            .path)
        do {
            if dryRun {
                print(try await RenderPlanner().plan(input).summary)
                return
            }
            let display = ProgressLine()
            try await Renderer().render(
                input, progress: { percent, step in display.show(percent, step.rawValue) },
                log: { Console.error($0) })
            display.finish()
            print(input.output)
        } catch let error as RenderError {
            Console.error("Error: \(error)")
            throw ExitCode(1)
        }
    }
}

/// "42% Creating final video" on one line of a terminal, or a line per step elsewhere.
final class ProgressLine: Sendable {
    private let state = Mutex<(percent: Int, step: String)>((-1, ""))
    private let terminal = isatty(2) == 1

    func show(_ percent: Int, _ step: String) {
        let changed = state.withLock { state in
            defer { state = (percent, step) }
            return terminal ? percent != state.percent : step != state.step
        }
        guard changed else { return }
        if terminal {
            FileHandle.standardError.write(Data("\r\u{1B}[K\(percent)% \(step)".utf8))
        } else {
            Console.error("\(percent)% \(step)")
        }
    }

    func finish() { if terminal { FileHandle.standardError.write(Data("\n".utf8)) } }
}
