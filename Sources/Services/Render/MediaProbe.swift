import ChildProcess
import Foundation
import StorageCore

/// What ffprobe says of a media file: its length and whether it has picture and sound.
public struct MediaInfo: Hashable, Sendable {
    public var path: String
    public var duration: Double
    public var hasVideo: Bool
    public var hasAudio: Bool
    public var width: Int?
    public var height: Int?
}

public enum MediaProbe {
    /// Probes `path`; a file ffprobe cannot read is a `RenderError` naming it.
    public static func probe(_ path: String, ffprobe: String = "ffprobe") async throws -> MediaInfo {
        let name = URL(fileURLWithPath: path).lastPathComponent
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw RenderError("\(name) cannot be read (missing or not readable)")
        }
        let result = try await ToolRun.run(
            ffprobe,
            [
                "-v", "error", "-show_entries", "format=duration:stream=codec_type,width,height,duration", "-of",
                "json",
                path,
            ])
        guard result.status == 0,
            case .object(let root)? = JSONValue(jsonText: String(decoding: result.output, as: UTF8.self))
        else {
            let reason = result.errorLines.last ?? "ffprobe could not read it"
            throw RenderError("\(name) is not a media file ffmpeg can read: \(reason)")
        }
        let streams = (root["streams"]?.arrayValue ?? []).compactMap(\.objectValue)
        let video = streams.first { $0["codec_type"]?.stringValue == "video" }
        let format = root["format"]?.objectValue
        let duration =
            (format?["duration"]?.stringValue).flatMap(Double.init)
            ?? (video?["duration"]?.stringValue).flatMap(Double.init)
        guard let duration, duration.isFinite, duration > 0 else {
            throw RenderError("\(name) has no length ffmpeg can read (is it damaged?)")
        }
        return MediaInfo(
            path: path, duration: duration, hasVideo: video != nil,
            hasAudio: streams.contains { $0["codec_type"]?.stringValue == "audio" },
            width: (video?["width"]?.intValue).map(Int.init), height: (video?["height"]?.intValue).map(Int.init))
    }
}

/// A short-lived tool of the ffmpeg package, run to its end.
enum ToolRun {
    static func run(
        _ tool: String, _ arguments: [String], onOutputLine: (@Sendable (String) -> Void)? = nil
    ) async throws -> ChildProcess.Result {
        let result: ChildProcess.Result
        do {
            result = try await ChildProcess(tool, arguments).run(onOutputLine: onOutputLine)
        } catch let failure as ChildProcess.Failure where failure.notInstalled {
            throw RenderError("\(tool) is not installed; install the ffmpeg package")
        } catch {
            throw RenderError("\(tool) cannot be started: \(error)")
        }
        if result.status == 127 { throw RenderError("\(tool) is not installed; install the ffmpeg package") }
        return result
    }
}
