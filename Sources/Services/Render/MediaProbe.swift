import ChildProcess
import Foundation
import StorageCore
import Synchronization

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
    /// A file probed before and unchanged since (same inode, size and
    /// modification time) is answered from memory: every piece of a job plans
    /// the job again, and its files stay as they are.
    public static func probe(_ path: String, ffprobe: String = "ffprobe") async throws -> MediaInfo {
        let name = URL(fileURLWithPath: path).lastPathComponent
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw RenderError("\(name) cannot be read (missing or not readable)")
        }
        let identity = FileIdentity(path)
        if let identity, var known = probed.withLock({ $0[identity] }) {
            known.path = path
            return known
        }
        let info = try await run(path, name: name, ffprobe: ffprobe)
        if let identity {
            probed.withLock { cache in
                if cache.count >= 512 { cache.removeAll() }
                cache[identity] = info
            }
        }
        return info
    }

    /// Probes a file of object storage through a (presigned) http(s) URL,
    /// which ffprobe reads with range requests: the whole file never moves.
    public static func probe(url: String, name: String) async throws -> MediaInfo {
        try await run(url, name: name, ffprobe: "ffprobe")
    }

    private static let probed = Mutex<[FileIdentity: MediaInfo]>([:])

    private static func run(_ path: String, name: String, ffprobe: String) async throws -> MediaInfo {
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

/// Which file a path names, and whether it changed: device, inode, size and
/// modification time to the nanosecond.
struct FileIdentity: Hashable {
    let device: UInt64
    let inode: UInt64
    let size: Int64
    let modified: Int64

    init?(_ path: String) {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
        size = Int64(status.st_size)
        modified = Int64(status.st_mtim.tv_sec) * 1_000_000_000 + Int64(status.st_mtim.tv_nsec)
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
