import Foundation
import StorageCore
import TestPostgres
import Testing

/// A job made, filled, started and downloaded through the API of a real
/// `serve` process whose worker renders it with ffmpeg, on both backends.
@Suite(.timeLimit(.minutes(5))) struct RenderThroughAPITests {
    enum Backend: String, CaseIterable, Sendable {
        case sqlite, postgres
    }

    @Test(arguments: Backend.allCases) func jobEndsWithAPlayableVideo(_ backend: Backend) async throws {
        let runner = CommandRunner()
        let database =
            switch backend {
            case .sqlite: runner.path("api.db")
            case .postgres: try TestPostgres.shared().freshDatabase()
            }
        let port = try TestPostgres.freePort()
        let server = try RunningCommand(
            runner,
            [
                "serve", "--port", String(port), "--database", database, "--data-dir", runner.path("data"),
                "--workers", "1", "--lease-seconds", "6",
            ])
        defer { server.kill() }
        let base = "http://127.0.0.1:\(port)"
        try await waitUntilHealthy(server, at: base)

        for (name, source) in [
            ("clip.mp4", "testsrc=size=160x120:rate=25"), ("other.mov", "testsrc2=size=120x160:rate=30"),
        ] {
            try ffmpeg(["-f", "lavfi", "-i", source, "-t", "1.5", "-pix_fmt", "yuv420p", runner.path(name)])
        }
        try ffmpeg(["-f", "lavfi", "-i", "sine=frequency=330", "-t", "2", runner.path("song.mp3")])
        try "Nothing is lost.".write(toFile: runner.path("quote.txt"), atomically: true, encoding: .utf8)

        let prepared = try curl(["-sS", "-X", "POST", base + "/api/jobs/prepare"])
        let id = try #require(JSONValue(jsonText: prepared)?.objectValue?["job_id"]?.intValue)
        for (type, file) in [
            ("videos", "clip.mp4"), ("videos", "other.mov"), ("music", "song.mp3"), ("quotes", "quote.txt"),
        ] {
            let answer = try curl(["-sS", "-F", "files=@\(runner.path(file))", base + "/api/jobs/\(id)/upload/\(type)"])
            #expect(answer.contains("\"uploaded\":[\"\(file)\"]"), "\(answer)")
        }
        let config =
            #"{"duration": 4, "resolution": "320x180", "fps": 15, "quote_font": "DejaVu Sans", "quotes_min_between": 0.5, "quotes_max_between": 1, "quotes_duration": 1}"#
        let started = try curl([
            "-sS", "-X", "POST", "-H", "Content-Type: application/json", "-d", config, base + "/api/jobs/\(id)/start",
        ])
        #expect(started.contains("\"status\":\"queued\""), "\(started)")

        var job: [String: JSONValue] = [:]
        try await waitFor("the render to finish", seconds: 120) {
            job = JSONValue(jsonText: try curl(["-sS", base + "/api/jobs/\(id)"]))?.objectValue ?? [:]
            return ["completed", "failed", "cancelled"].contains(job["status"]?.stringValue ?? "")
        }
        #expect(job["status"] == .string("completed"), "\(job)")
        #expect(job["progress"] == .int(100))
        #expect(job["current_step"] == .string("Complete"))
        let logs = try curl(["-sS", base + "/api/jobs/\(id)/logs?after=0"])
        #expect(logs.contains("video written"), "\(logs)")

        let video = runner.path("download.mp4")
        try curl(["-sSf", "-o", video, base + "/api/jobs/\(id)/download"])
        let probe = try ffprobe(video)
        #expect(probe.contains("codec_type=video") && probe.contains("codec_type=audio"), "\(probe)")
        #expect(probe.contains("width=320") && probe.contains("height=180"), "\(probe)")
        let duration = Double(probe.split(separator: "\n").first { $0.hasPrefix("duration=") }?.dropFirst(9) ?? "") ?? 0
        #expect(abs(duration - 4) < 0.5, "duration \(duration)")
        #expect(try await server.stop() == 0)
    }

    func ffmpeg(_ arguments: [String]) throws {
        try tool("/usr/bin/ffmpeg", ["-loglevel", "error", "-y"] + arguments)
    }

    func ffprobe(_ file: String) throws -> String {
        try tool(
            "/usr/bin/ffprobe",
            [
                "-v", "error", "-show_entries", "format=duration:stream=codec_type,width,height", "-of", "default=nw=1",
                file,
            ])
    }

    @discardableResult
    func tool(_ path: String, _ arguments: [String]) throws -> String { try runTool(path, arguments) }
}
