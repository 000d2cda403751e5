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
    public static func probe(_ path: String, ffprobe: String = "ffprobe") throws -> MediaInfo {
        let name = URL(fileURLWithPath: path).lastPathComponent
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw RenderError("\(name) cannot be read (missing or not readable)")
        }
        let result = try ToolProcess.run(
            ffprobe,
            [
                "-v", "error", "-show_entries", "format=duration:stream=codec_type,width,height,duration", "-of",
                "json",
                path,
            ])
        guard result.status == 0, case .object(let root)? = JSONValue(jsonText: result.output) else {
            let reason = result.errors.last ?? "ffprobe could not read it"
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

/// Runs a short-lived tool to its end and collects what it printed.
enum ToolProcess {
    struct Result {
        var status: Int32
        var output: String
        var errors: [String]
    }

    static func run(_ tool: String, _ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw RenderError("\(tool) cannot be started: \(error.localizedDescription); install the ffmpeg package")
        }
        // Read both pipes at once, or a chatty tool blocks on a full one.
        let errorData = PipeReader(errors.fileHandleForReading)
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if process.terminationStatus == 127 {
            throw RenderError("\(tool) is not installed; install the ffmpeg package")
        }
        let errorLines = String(decoding: errorData.wait(), as: UTF8.self).split(whereSeparator: \.isNewline).map(
            String.init)
        return Result(
            status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self), errors: errorLines)
    }
}

/// Reads a pipe to its end on a thread of its own.
final class PipeReader: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }.start()
    }

    /// Everything the pipe held, once its writer closed it.
    func wait() -> Data {
        done.wait()
        return data
    }
}
