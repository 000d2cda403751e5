import ChildProcess
import Foundation

/// Small pictures of media for the page: one frame of a video as a JPEG.
public enum MediaPreview {
    /// How long ffmpeg may take over one frame before it is killed.
    public static let timeLimit: Duration = .seconds(20)

    /// One frame of `input` (a path or an http(s) URL ffmpeg can seek in), at
    /// `seconds` or, for a shorter video, its middle; `width` pixels wide.
    /// Written to `output` through a `.part` name, so a reader never sees
    /// half a picture.
    public static func poster(of input: String, duration: Double?, to output: String, width: Int = 320)
        async throws
    {
        let at = duration.map { min(1, $0 / 2) } ?? 0
        let partial = output + ".part"
        let arguments = [
            "-hide_banner", "-loglevel", "error", "-nostdin", "-ss", String(format: "%.3f", at), "-i", input,
            "-frames:v", "1", "-vf", "scale=\(width):-2", "-q:v", "5", "-f", "image2", "-c:v", "mjpeg", "-y", partial,
        ]
        let result = try await withTimeLimit(timeLimit) { try await ToolRun.run("ffmpeg", arguments) }
        guard let result, result.status == 0, FileManager.default.fileExists(atPath: partial) else {
            try? FileManager.default.removeItem(atPath: partial)
            let reason = result?.errorLines.last ?? "it took longer than \(timeLimit)"
            throw RenderError("no picture could be taken from the video: \(reason)")
        }
        guard rename(partial, output) == 0 else {
            try? FileManager.default.removeItem(atPath: partial)
            throw RenderError("the picture could not be kept (\(String(cString: strerror(errno))))")
        }
    }
}

/// `body`'s value, or nil when `limit` passes first (`body` is then
/// cancelled: a child process it runs is killed).
func withTimeLimit<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws
    -> T?
{
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        let first = try await group.next() ?? nil
        group.cancelAll()
        return first
    }
}
