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
            Config flags are the job config keys in kebab case, with the same checks as the API. Each may also \
            come from the environment as in the earlier CLI, YT_BUILDER_<KEY> (YT_BUILDER_DURATION=600, \
            YT_BUILDER_MUSIC_SHUFFLE=true, YT_BUILDER_OUTPUT, YT_BUILDER_VIDEOS_DIR, ...); a flag wins. Without \
            folder flags, ./videos, ./music, ./sounds and ./quotes are read, and output.mp4 is written. Files are \
            taken from each folder in name order (.mp4 .mov .avi .mkv; .mp3 .wav .m4a .aac .ogg; .txt).
            """)

    @Option(help: "Folder of video clips (default ./videos; env YT_BUILDER_VIDEOS_DIR).") var videos: String?
    @Option(help: "Folder of music tracks (default ./music, if it exists).") var music: String?
    @Option(help: "Folder of sound effects (default ./sounds, if it exists).") var sounds: String?
    @Option(help: "Folder of quote files (default ./quotes, if it exists).") var quotes: String?
    @Option(name: [.customShort("o"), .long], help: "The MP4 to write (default output.mp4).") var output: String?
    @Option(help: "Font files, by name without extension (default data/fonts).") var fontsDir: String?
    @Flag(help: "Print the plan (clip order, quote times, the pieces) and render nothing.") var dryRun = false
    @Flag(help: "Also print the plan before rendering.") var verbose = false
    @Flag(help: "Encode every second in one ffmpeg, as before pieces (slower; the benchmark's reference).")
    var onePass = false

    @Option(help: "Seconds of video (1–86400; default 600).") var duration: Double?
    @Option(help: "Frames per second (1–120; default 30).") var fps: Int?
    @Option(help: "WIDTHxHEIGHT, even numbers (default 1920x1080).") var resolution: String?
    @Option(help: "none, fade or crossfade (default crossfade).") var transition: String?
    @Option(help: "Seconds each quote shows (default 5).") var quotesDuration: Double?
    @Option(help: "Shortest gap between quotes, seconds (default 10).") var quotesMinBetween: Double?
    @Option(help: "Longest gap between quotes, seconds (default 30).") var quotesMaxBetween: Double?
    @Option(help: "Music volume, 0–2 (default 0.7).") var musicVolume: Double?
    @Option(help: "Sound effects volume, 0–2 (default 0.5).") var soundsVolume: Double?
    @Option(help: "minimal (no box), centered, bottom or top (default centered).") var quoteStyle: String?
    @Option(help: "A font file's name in --fonts-dir or a fontconfig family (default TenPounds).") var quoteFont:
        String?
    @Flag(inversion: .prefixedNo, help: "Shuffle the music (default: no, as the earlier CLI).") var musicShuffle: Bool?
    @Flag(inversion: .prefixedNo, help: "Shuffle the quotes, across all quote files (default: no).")
    var quotesShuffle: Bool?
    @Option(help: "Seed of every random choice; the same seed renders the same video.") var seed: Int64?

    static let numberKeys = [
        "duration", "fps", "quotes_duration", "quotes_min_between", "quotes_max_between", "music_volume",
        "sounds_volume", "seed",
    ]
    static let textKeys = ["resolution", "transition", "quote_style", "quote_font"]

    /// Flags first, then `YT_BUILDER_<KEY>`, then the defaults (the shuffles off, as in the earlier CLI).
    func config(_ environment: RenderEnvironment) throws -> JobConfig {
        var values: [String: JSONValue] = [:]
        for key in Self.numberKeys { values[key] = try environment.number(key) }
        for key in Self.textKeys { values[key] = environment.text(key).map { .string($0) } }
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
        put("seed", seed.map { .int($0) })
        values["music_shuffle"] = .bool(try musicShuffle ?? environment.bool("music_shuffle") ?? false)
        values["quotes_shuffle"] = .bool(try quotesShuffle ?? environment.bool("quotes_shuffle") ?? false)
        return JobConfig(values)
    }

    /// A folder named by a flag or the environment must exist; the earlier
    /// default folders (./music, ...) are used when they do.
    static func folder(_ flag: String?, _ environment: RenderEnvironment, _ key: String, default name: String)
        throws -> String?
    {
        if let named = flag ?? environment.text(key) { return named }
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: name, isDirectory: &isFolder) && isFolder.boolValue ? name : nil
    }

    func run() async throws {
        let environment = RenderEnvironment(values: ProcessInfo.processInfo.environment)
        let fonts = FontCatalog.load(fontsDirectory: fontsDir ?? environment.text("fonts_dir") ?? "data/fonts")
        let config = try config(environment)
        let settings = try settings(config, fonts: fonts, environment)
        let videos = Self.videosFolder(self.videos, environment)
        let output = self.output ?? environment.text("output") ?? "output.mp4"
        let input = RenderInput(
            videos: try RenderInput.files(in: videos, accepting: FileType.videos.allowedExtensions),
            music: try RenderInput.files(
                in: Self.folder(music, environment, "music_dir", default: "music"),
                accepting: FileType.music.allowedExtensions),
            sounds: try RenderInput.files(
                in: Self.folder(sounds, environment, "sounds_dir", default: "sounds"),
                accepting: FileType.sounds.allowedExtensions),
            quotes: try RenderInput.files(
                in: Self.folder(quotes, environment, "quotes_dir", default: "quotes"),
                accepting: FileType.quotes.allowedExtensions),
            settings: settings, fonts: fonts, output: URL(fileURLWithPath: output).standardizedFileURL.path,
            scratch: FileManager.default.temporaryDirectory.appendingPathComponent(
                "yt-builder-render-\(UUID().uuidString)"
            )
            .path)
        let dryRun = try self.dryRun || environment.bool("dry_run") == true
        let verbose = try self.verbose || environment.bool("verbose") == true
        do {
            var planner = RenderPlanner()
            planner.onePass = onePass
            if dryRun {
                print(try await planner.plan(input).summary(onePass: onePass))
                return
            }
            if verbose { Console.error(try await planner.plan(input).summary(onePass: onePass)) }
            let display = ProgressLine()
            var renderer = Renderer()
            renderer.onePass = onePass
            try await renderer.render(
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

extension RenderCommand {
    /// A refused value that came from the environment is named by its variable.
    func settings(_ config: JobConfig, fonts: FontCatalog, _ environment: RenderEnvironment) throws -> VideoSettings {
        let result = Result { () throws(InvalidSetting) -> VideoSettings in
            try VideoSettings(config: VideoSettings.completed(config, fonts: fonts), fonts: fonts)
        }
        switch result {
        case .success(let settings): return settings
        case .failure(let refused):
            guard Self.valueCameFromEnvironment(refused.field, self, environment) else {
                throw ValidationError(refused.description)
            }
            throw ValidationError("\(RenderEnvironment.name(refused.field)): \(refused.reason)")
        }
    }

    static func videosFolder(_ flag: String?, _ environment: RenderEnvironment) -> String {
        flag ?? environment.text("videos_dir") ?? "videos"
    }

    /// Whether a setting the renderer refused came from `YT_BUILDER_<KEY>` (no flag gave it).
    static func valueCameFromEnvironment(_ field: String, _ command: RenderCommand, _ environment: RenderEnvironment)
        -> Bool
    {
        guard environment.text(field) != nil else { return false }
        let flagged: [String: Bool] = [
            "duration": command.duration != nil, "fps": command.fps != nil, "resolution": command.resolution != nil,
            "transition": command.transition != nil, "quotes_duration": command.quotesDuration != nil,
            "quotes_min_between": command.quotesMinBetween != nil,
            "quotes_max_between": command.quotesMaxBetween != nil, "music_volume": command.musicVolume != nil,
            "sounds_volume": command.soundsVolume != nil, "quote_style": command.quoteStyle != nil,
            "quote_font": command.quoteFont != nil, "seed": command.seed != nil,
        ]
        return flagged[field] == false
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
