import Foundation
import StorageCore

/// The smallest job that renders: a 1.5 s clip and a 2 s song, made with ffmpeg.
enum SampleJob {
    static let files = [("videos", "clip.mp4"), ("music", "song.mp3")]

    /// Writes the clip and the song; `path` names a file in the test's folder.
    static func writeMedia(_ path: (String) -> String) throws {
        try runTool(
            "/usr/bin/ffmpeg",
            [
                "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=25", "-t", "1.5",
                "-pix_fmt", "yuv420p", path("clip.mp4"),
            ])
        try runTool(
            "/usr/bin/ffmpeg",
            ["-loglevel", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=330", "-t", "2", path("song.mp3")])
    }

    /// A job prepared through the API at `base` with both files uploaded; its id.
    static func prepare(at base: String, _ path: (String) -> String) throws -> Int64 {
        let prepared = try curl(["-sS", "-X", "POST", base + "/api/jobs/prepare"])
        guard let id = JSONValue(jsonText: prepared)?.objectValue?["job_id"]?.intValue else {
            throw CommandFailure(output: "prepare gave no job_id: \(prepared)")
        }
        for (type, file) in files {
            let answer = try curl(["-sS", "-F", "files=@\(path(file))", base + "/api/jobs/\(id)/upload/\(type)"])
            guard answer.contains("\"uploaded\":[\"\(file)\"]") else {
                throw CommandFailure(output: "uploading \(file): \(answer)")
            }
        }
        return id
    }
}
