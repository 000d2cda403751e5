import Foundation
import Render
import StorageCore
import Testing
import VideoSettings

/// Small media made by ffmpeg's own sources, and ffprobe's view of results.
struct TestMedia {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("yt-render-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// Runs ffmpeg or ffprobe; fails the test with its output when it fails.
    @discardableResult
    static func tool(_ name: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/\(name)")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let output = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else { throw RenderError("\(name) failed: \(output)") }
        return output
    }

    func clip(_ name: String, seconds: Double, size: String = "160x120", rate: Int = 25, source: String = "testsrc")
        throws -> String
    {
        try Self.tool(
            "ffmpeg",
            [
                "-loglevel", "error", "-y", "-f", "lavfi", "-i", "\(source)=size=\(size):rate=\(rate)", "-t",
                "\(seconds)", "-pix_fmt", "yuv420p", path(name),
            ])
        return path(name)
    }

    func tone(_ name: String, seconds: Double, frequency: Int = 440) throws -> String {
        try Self.tool(
            "ffmpeg",
            [
                "-loglevel", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=\(frequency)", "-t", "\(seconds)",
                path(name),
            ])
        return path(name)
    }

    func text(_ name: String, _ content: String) throws -> String {
        try content.write(toFile: path(name), atomically: true, encoding: .utf8)
        return path(name)
    }

    struct Probe {
        var duration: Double
        var width: Int?
        var height: Int?
        var frameRate: String?
        var hasAudio: Bool
    }

    static func probe(_ file: String) throws -> Probe {
        let json = try tool(
            "ffprobe",
            [
                "-v", "error", "-show_entries", "format=duration:stream=codec_type,width,height,r_frame_rate", "-of",
                "json",
                file,
            ])
        let root = try #require(JSONValue(jsonText: json)?.objectValue)
        let streams = (root["streams"]?.arrayValue ?? []).compactMap(\.objectValue)
        let video = streams.first { $0["codec_type"]?.stringValue == "video" }
        return Probe(
            duration: Double(root["format"]?.objectValue?["duration"]?.stringValue ?? "") ?? 0,
            width: (video?["width"]?.intValue).map(Int.init), height: (video?["height"]?.intValue).map(Int.init),
            frameRate: video?["r_frame_rate"]?.stringValue,
            hasAudio: streams.contains { $0["codec_type"]?.stringValue == "audio" })
    }

    static let fonts = FontCatalog(files: [:], families: ["DejaVu Sans"])

    /// Settings for a short, small render.
    static func settings(_ values: [String: JSONValue] = [:]) throws -> VideoSettings {
        var base: [String: JSONValue] = [
            "duration": .int(4), "resolution": .string("160x120"), "fps": .int(12),
            "quote_font": .string("DejaVu Sans"),
            "quotes_duration": .double(1), "quotes_min_between": .double(0.5), "quotes_max_between": .double(1),
            "seed": .int(42),
        ]
        base.merge(values) { $1 }
        return try VideoSettings(config: JobConfig(base), fonts: fonts)
    }

    func input(
        videos: [String], music: [String] = [], sounds: [String] = [], quotes: [String] = [], settings: VideoSettings,
        output: String = "out/video.mp4"
    ) -> RenderInput {
        RenderInput(
            videos: videos, music: music, sounds: sounds, quotes: quotes, settings: settings, fonts: Self.fonts,
            output: path(output), scratch: path("scratch"))
    }
}
